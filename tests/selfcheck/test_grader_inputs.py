"""What a grader sends a worker must be loadable there: a function of the grader's own module
would make the worker import the grader (which fails where the graders are not on its path,
as in the Gradescope bundle), so sending one is refused with the fix named."""

import pickle

import pytest
import torch

from autodiff_kata.engine.supervisor import _dumps
from autodiff_kata.functions import cubic_of_two


def test_a_function_of_a_grader_module_is_refused_with_the_fix_named():
    def example(x):
        return x

    example.__module__ = "test_ex13_hessian_vector_product"
    with pytest.raises(pickle.PicklingError, match="define what graders send in autodiff_kata"):
        _dumps({"args": (example, torch.tensor(1.0))})


def test_functions_of_the_package_go_through():
    message = {"args": (cubic_of_two, torch.tensor([1.0, 2.0]))}
    assert pickle.loads(_dumps(message))["args"][0] is cubic_of_two

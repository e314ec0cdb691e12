import sys

from autodiff_kata.compare.command import main

sys.exit(main())

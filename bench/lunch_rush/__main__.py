import sys

from bench.lunch_rush.run import main

sys.exit(main())

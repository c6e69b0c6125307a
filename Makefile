# The two commands a newcomer needs (see README.md).
.PHONY: test demo setup

test:
	bash scripts/test.sh

demo:
	bash scripts/demo.sh

setup:
	bash scripts/setup.sh

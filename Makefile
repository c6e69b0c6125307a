# The two commands a newcomer needs (see README.md).
.PHONY: test demo setup

test:
	bash scripts/test.sh

demo:
	bash scripts/demo.sh

setup:
	bash scripts/setup.sh

.PHONY: bench  # bench/ is a directory too
bench:  # side-by-side benchmark against phoenix.js (bench/README.md); needs pkg/
	node bench/run.mjs

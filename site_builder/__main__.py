import os

# One BLAS thread per process, set before numpy is imported: a build already runs one process
# per core (training, rendering), so BLAS threads would only compete with them for the same
# cores (the engine's matrices are small: threads cost more than they give). It also keeps
# a machine's core count out of the arithmetic: BLAS may split a product's sums by thread.
# An explicit setting in the environment wins.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

from site_builder.cli import main  # noqa: E402

raise SystemExit(main())

"""zkmargin: verifiable portfolio margin.

The layers live in the repository's top-level folders and install under this namespace
(``zkmargin.engine``, ``zkmargin.statement``, ``zkmargin.toolchain``, ``zkmargin.prover``,
``zkmargin.verifier``, ``zkmargin.cli``); ``zkmargin.constants`` is the number contract and BN254.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("zkmargin")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"

"""Builds the Python module emgmm: `pip install --no-build-isolation ./python` (from the
repository root; the module compiles the headers in ../include). CMake builds the same module
with -DEMGMM_BUILD_PYTHON=ON (python/CMakeLists.txt).

The compiled core _core is made of the library's compiled mode (../cmake/compiled/*.cpp, the
models' passes instantiated once, with OpenMP) and five binding files compiled with
EMGMM_COMPILED, so that no file compiles the passes twice. Set EMGMM_BUILD_JOBS=N to compile N
files at once (default 2).
"""

import os
from pathlib import Path

from pybind11.setup_helpers import ParallelCompile, Pybind11Extension, build_ext
from setuptools import setup

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
EIGEN = os.environ.get("EIGEN3_INCLUDE_DIR", "/usr/include/eigen3")

ParallelCompile("EMGMM_BUILD_JOBS", default=2).install()

# The library's files first: they take longest, and the pool compiles in this order.
sources = sorted(str(p) for p in (ROOT / "cmake" / "compiled").glob("*.cpp"))
sources += sorted(str(p) for p in (HERE / "src").glob("*.cpp"))

core = Pybind11Extension(
    "emgmm._core",
    sources,
    include_dirs=[str(ROOT / "include"), EIGEN],
    define_macros=[("EMGMM_COMPILED", None)],
    cxx_std=17,
    extra_compile_args=["-O2", "-fopenmp", "-Wall", "-Wextra"],
    extra_link_args=["-fopenmp"],
)

version = {}
for line in (ROOT / "include" / "emgmm" / "version.hpp").read_text().splitlines():
    parts = line.split()
    if len(parts) == 3 and parts[0] == "#define" and parts[1].startswith("EMGMM_VERSION_"):
        version[parts[1]] = parts[2]

setup(
    name="emgmm",
    version="{EMGMM_VERSION_MAJOR}.{EMGMM_VERSION_MINOR}.{EMGMM_VERSION_PATCH}".format(**version),
    description="Gaussian mixtures fitted by EM: scikit-learn's estimators, computed in C++",
    packages=["emgmm"],
    ext_modules=[core],
    cmdclass={"build_ext": build_ext},
    python_requires=">=3.9",
    install_requires=["numpy", "scikit-learn>=1.2,<1.3", "threadpoolctl"],
    zip_safe=False,
)

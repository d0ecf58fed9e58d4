#!/usr/bin/env bash
# Compile cost of a user translation unit that includes emgmm (issue 15), next to two peers.
#
# For each translation unit below, writes a small .cpp into a temporary directory, compiles it
# (compile only, -c: no link) once, and prints a markdown table of the compiler's CPU time
# (user + system, the driver and cc1plus together) and peak resident memory:
#   (a) #include <emgmm/emgmm.hpp> and an empty main: the cost of parsing the headers
#   (b) GaussianMixture<double>(3).fit_predict(X) on an Eigen::MatrixXd: the issue's case
#   (c) BayesianGaussianMixture<double>(3).fit(X)
#   (d) GaussianMixture<float, 2>(3).fit(X) on a fixed-width float matrix
#   (e) (b) at -O0 -g instead of -O2 -march=native (a debug build)
#   (f) KMeans<double>(3).fit(X)
#   (g) peer: Armadillo's arma::gmm_full learn + assign (skipped when <armadillo> is missing)
#   (h) peer: a plain Eigen matrix product, Eigen::MatrixXd C = A * B with <Eigen/Dense>
#   (i) row (b) in compiled mode (-DEMGMM_COMPILED: the model's passes come from the
#       emgmm_compiled library, so the file compiles only the layer that reads X)
#   (j) row (c) in compiled mode
#   (k) the emgmm_compiled library itself, paid once per build: its files (one per Scalar)
#       (cmake/compiled/*.cpp) one after the other, CPU summed, peak of the largest
# Every row but (e) compiles with -std=c++17 -O2 -march=native -fopenmp (the issue's flags).
#
# It is a benchmark, not a test: nothing is checked against a limit. Compile times vary with
# the machine and its load; CPU time is steadier than wall time under load, but compare rows
# of one run, not runs of different machines. Each emgmm row takes 10-60 s on one core; the
# rows are compiled one after the other, never in parallel.
#
# Needs bash, a C++17 compiler with OpenMP (g++ by default) and Eigen 3.4 (Debian 12:
# apt-get install g++ libeigen3-dev; for row (g) also libarmadillo-dev). GNU time
# (/usr/bin/time, Debian package `time`) is used when present; without it a ten-line wait4()
# helper, compiled here with the same compiler, measures the same numbers.
#
# Usage: tests/benchmarks/compile_cost.sh [options]
#   --compiler CXX       the C++ compiler (default: g++, or $CXX when set)
#   --repo DIR           the emgmm checkout whose include/ is used (default: this script's repo)
#   --eigen DIR          Eigen's include directory (default: /usr/include/eigen3)
#   --extra-flags FLAGS  added to every row's command line, after the row's own flags, e.g. a
#                        future compiled mode: --extra-flags '-DEMGMM_SOME_MACRO'. Also read
#                        from the environment variable EMGMM_COMPILE_COST_FLAGS (the option
#                        is appended to it).
#   --only LETTERS       compile only these rows, e.g. --only ab (default: abcdefghijk)
#   --keep DIR           write the sources and objects into DIR and keep them (default: a
#                        temporary directory, removed at exit)
#   -h, --help           this text
# Prints the table on stdout (progress goes to stderr); exits 1 if any row failed to compile.
set -euo pipefail

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d' | sed 's/^# \{0,1\}//'; }
die() { echo "compile_cost.sh: $*" >&2; exit 2; }

# --- options -------------------------------------------------------------------------------
cxx="${CXX:-g++}"
repo="$(cd "${script_dir}/../.." && pwd)"
eigen_dir=/usr/include/eigen3
extra_flags="${EMGMM_COMPILE_COST_FLAGS:-}"
only=abcdefghijk
keep_dir=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --compiler) cxx="${2:?--compiler needs a value}"; shift 2 ;;
    --repo) repo="${2:?--repo needs a value}"; shift 2 ;;
    --eigen) eigen_dir="${2:?--eigen needs a value}"; shift 2 ;;
    --extra-flags) extra_flags="${extra_flags:+${extra_flags} }${2?--extra-flags needs a value}"; shift 2 ;;
    --only) only="${2:?--only needs a value}"; shift 2 ;;
    --keep) keep_dir="${2:?--keep needs a value}"; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
done

command -v "${cxx}" >/dev/null || die "compiler '${cxx}' not found"
[[ -f "${repo}/include/emgmm/emgmm.hpp" ]] || die "no include/emgmm/emgmm.hpp under --repo ${repo}"
[[ -f "${eigen_dir}/Eigen/Core" ]] || die "no Eigen/Core under ${eigen_dir} (apt-get install libeigen3-dev, or --eigen DIR)"

if [[ -n "${keep_dir}" ]]; then
  mkdir -p "${keep_dir}"
  work="$(cd "${keep_dir}" && pwd)"
else
  work="$(mktemp -d "${TMPDIR:-/tmp}/emgmm_compile_cost.XXXXXX")"
  trap 'rm -rf "${work}"' EXIT
fi

# Extra flags are split on whitespace on purpose (several flags in one string).
read -r -a extra <<<"${extra_flags}"
common=(-std=c++17 -fopenmp "-I${repo}/include" "-I${eigen_dir}" -c)
release=(-O2 -march=native)
debug=(-O0 -g)

# --- the measuring wrapper: "$measure" OUT cmd... writes "user system maxrss_kb" to OUT -------
if [[ -x /usr/bin/time ]] && /usr/bin/time -f '%U' -o /dev/null true 2>/dev/null; then
  measure() { local out="$1"; shift; /usr/bin/time -f '%U %S %M' -o "${out}" "$@"; }
else
  # wait4() reports the child's own rusage including the children it reaped (cc1plus, as), as
  # GNU time does.
  cat >"${work}/rusage.cpp" <<'EOF'
#include <cstdio>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
int main(int argc, char** argv) {  // rusage OUT cmd args...
  if (argc < 3) return 2;
  const pid_t pid = fork();
  if (pid == 0) { execvp(argv[2], argv + 2); _exit(127); }
  int status = 0;
  struct rusage ru {};
  if (pid < 0 || wait4(pid, &status, 0, &ru) < 0) return 2;
  std::FILE* out = std::fopen(argv[1], "w");
  if (!out) return 2;
  std::fprintf(out, "%.2f %.2f %ld\n", ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6,
               ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6, ru.ru_maxrss);
  std::fclose(out);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
EOF
  "${cxx}" -O1 -o "${work}/rusage" "${work}/rusage.cpp" || die "could not build the rusage helper"
  measure() { "${work}/rusage" "$@"; }
fi

# --- the translation units ---------------------------------------------------------------------
# Each is a whole program (compiled with -c only), with data made at run time so that nothing
# is folded away. The descriptions are the table's first column.
declare -A describe=(
  [a]='(a) `#include <emgmm/emgmm.hpp>`, empty main'
  [b]='(b) `GaussianMixture<double>(3).fit_predict(X)`, X a `MatrixXd`'
  [c]='(c) `BayesianGaussianMixture<double>(3).fit(X)`'
  [d]='(d) `GaussianMixture<float, 2>(3).fit(X)`'
  [e]='(e) row (b) at `-O0 -g`'
  [f]='(f) `KMeans<double>(3).fit(X)`'
  [g]='(g) peer: Armadillo `gmm_full` learn + assign'
  [h]='(h) peer: Eigen `MatrixXd C = A * B`'
  [i]='(i) row (b) in compiled mode (`-DEMGMM_COMPILED`)'
  [j]='(j) row (c) in compiled mode'
  [k]='(k) the `emgmm_compiled` library, once per build (2 files, one per Scalar)'
)

write_tu() {  # write_tu LETTER FILE
  case "$1" in
    a) cat >"$2" <<'EOF'
#include <emgmm/emgmm.hpp>
int main() { return 0; }
EOF
      ;;
    b | e | i) cat >"$2" <<'EOF'
#include <emgmm/emgmm.hpp>
int main() {
  const Eigen::MatrixXd X = Eigen::MatrixXd::Random(1000, 4);
  const Eigen::VectorXi labels = emgmm::GaussianMixture<double>(3).fit_predict(X);
  return labels(0);
}
EOF
      ;;
    c | j) cat >"$2" <<'EOF'
#include <emgmm/emgmm.hpp>
int main() {
  const Eigen::MatrixXd X = Eigen::MatrixXd::Random(1000, 4);
  emgmm::BayesianGaussianMixture<double> model(3);
  model.fit(X);
  return model.n_iter();
}
EOF
      ;;
    d) cat >"$2" <<'EOF'
#include <emgmm/emgmm.hpp>
int main() {
  const Eigen::Matrix<float, Eigen::Dynamic, 2> X = Eigen::Matrix<float, Eigen::Dynamic, 2>::Random(1000, 2);
  emgmm::GaussianMixture<float, 2> model(3);
  model.fit(X);
  return model.n_iter();
}
EOF
      ;;
    f) cat >"$2" <<'EOF'
#include <emgmm/emgmm.hpp>
int main() {
  const Eigen::MatrixXd X = Eigen::MatrixXd::Random(1000, 4);
  emgmm::KMeans<double> model(3);
  model.fit(X);
  return model.n_iter();
}
EOF
      ;;
    g) cat >"$2" <<'EOF'
#include <armadillo>
int main() {
  const arma::mat X(4, 1000, arma::fill::randn);  // Armadillo: one point per column
  arma::gmm_full model;
  model.learn(X, 3, arma::maha_dist, arma::static_subset, 10, 100, 1e-10, false);
  const arma::urowvec labels = model.assign(X, arma::prob_dist);
  return int(labels(0));
}
EOF
      ;;
    h) cat >"$2" <<'EOF'
#include <Eigen/Dense>
int main() {
  const Eigen::MatrixXd A = Eigen::MatrixXd::Random(100, 100);
  const Eigen::MatrixXd B = Eigen::MatrixXd::Random(100, 100);
  const Eigen::MatrixXd C = A * B;
  return C(0, 0) > 0.0;
}
EOF
      ;;
  esac
}

have_armadillo() { echo '#include <armadillo>' | "${cxx}" -std=c++17 -E -x c++ - >/dev/null 2>&1; }

# --- compile and tabulate ----------------------------------------------------------------------
rows=()
notes=()
failed=0
for letter in a b c d e f g h i j k; do
  [[ "${only}" == *"${letter}"* ]] || continue
  if [[ "${letter}" == g ]] && ! have_armadillo; then
    notes+=("Row (g) skipped: <armadillo> not found (Debian: apt-get install libarmadillo-dev).")
    continue
  fi
  flags=("${release[@]}")
  [[ "${letter}" == e ]] && flags=("${debug[@]}")
  [[ "${letter}" == i || "${letter}" == j ]] && flags+=(-DEMGMM_COMPILED)
  echo "compiling ${letter} ..." >&2
  if [[ "${letter}" == k ]]; then
    total=0
    peak=0
    k_failed=0
    for library_source in "${repo}"/cmake/compiled/*.cpp; do
      name="$(basename "${library_source}" .cpp)"
      if measure "${work}/lib_${name}.time" "${cxx}" "${common[@]}" "${flags[@]}" ${extra[@]+"${extra[@]}"} \
           "${library_source}" -o "${work}/lib_${name}.o" 2>"${work}/lib_${name}.log"; then
        read -r user system max_kb <"${work}/lib_${name}.time"
        total="$(awk -v t="${total}" -v u="${user}" -v s="${system}" 'BEGIN { print t + u + s }')"
        ((max_kb > peak)) && peak="${max_kb}"
      else
        k_failed=1
        tail -n 20 "${work}/lib_${name}.log" >&2
      fi
    done
    if ((k_failed)); then
      failed=1
      rows+=("| ${describe[k]} | failed | failed |")
    else
      rows+=("$(awk -v d="${describe[k]}" -v t="${total}" -v m="${peak}" \
        'BEGIN { printf "| %s | %.1f | %.0f |", d, t, m / 1024 }')")
    fi
    continue
  fi
  source_file="${work}/tu_${letter}.cpp"
  write_tu "${letter}" "${source_file}"
  if measure "${work}/tu_${letter}.time" "${cxx}" "${common[@]}" "${flags[@]}" ${extra[@]+"${extra[@]}"} \
       "${source_file}" -o "${work}/tu_${letter}.o" 2>"${work}/tu_${letter}.log"; then
    read -r user system max_kb <"${work}/tu_${letter}.time"
    rows+=("$(awk -v d="${describe[${letter}]}" -v u="${user}" -v s="${system}" -v m="${max_kb}" \
      'BEGIN { printf "| %s | %.1f | %.0f |", d, u + s, m / 1024 }')")
  else
    failed=1
    rows+=("| ${describe[${letter}]} | failed | failed |")
    echo "row (${letter}) failed to compile:" >&2
    tail -n 20 "${work}/tu_${letter}.log" >&2
  fi
done

echo "| translation unit | CPU s | peak MB |"
echo "| --- | ---: | ---: |"
printf '%s\n' "${rows[@]}"
echo
echo "Compiler: $("${cxx}" --version | head -n 1). Flags: -std=c++17 ${release[*]} -fopenmp -c" \
     "(row (e): ${debug[*]})${extra_flags:+, extra: ${extra_flags}}. CPU s = user + system of the" \
     "compiler driver and its children, peak MB = their largest resident set; $(nproc) cores," \
     "load average $(cut -d ' ' -f 1-3 /proc/loadavg) at the end."
if [[ ${#notes[@]} -gt 0 ]]; then printf '%s\n' "${notes[@]}"; fi
exit "${failed}"

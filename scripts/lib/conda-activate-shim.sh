# Stand-in for Miniconda's activate script in sample images (no conda is installed): the
# SWE-bench eval script sources it and runs `conda activate testbed`, which must succeed.
conda() {
  case "${1:-}" in
    activate|deactivate) return 0 ;;
    *) echo "conda: not installed in this sample image" >&2; return 1 ;;
  esac
}

#!/bin/sh
# cordon pre-commit hook: refuse a commit that widens what the agent may do (.cordon/policy.yaml) unless the
# widening is acknowledged in the policy's `acknowledged:` list.
#
# Install:  cp scripts/pre-commit-policy-check.sh .git/hooks/pre-commit && chmod +x .git/hooks/pre-commit
# (or call it from your hook manager: pre-commit, husky, lefthook).
#
# It compares the staged policy with HEAD, so what is checked is exactly what is being committed.
set -eu

root=$(git rev-parse --show-toplevel)
policy=.cordon/policy.yaml

# Nothing to check when the commit does not touch the policy.
if git diff --cached --quiet -- "$policy"; then
  exit 0
fi

if command -v cordon >/dev/null 2>&1; then
  set -- cordon
elif [ -x "$root/node_modules/.bin/cordon" ]; then
  set -- "$root/node_modules/.bin/cordon"
else
  echo "cordon pre-commit: cordon is not installed, so the policy change was not reviewed; install it (npm i -D cordon) or commit with --no-verify after a human review" >&2
  exit 1
fi

# Check the staged version, not the working copy: export it to a scratch work tree.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
mkdir -p "$tmp/.cordon"
if git cat-file -e ":$policy" 2>/dev/null; then
  git show ":$policy" > "$tmp/.cordon/policy.yaml"
fi
base=$tmp/base.yaml
if git cat-file -e "HEAD:$policy" 2>/dev/null; then
  git show "HEAD:$policy" > "$base"
else
  : > "$base"
fi

status=0
"$@" policy diff "$base" "$tmp/.cordon/policy.yaml" --json > "$tmp/changes.json" || status=$?
if [ "$status" -ne 0 ]; then
  echo "cordon pre-commit: the staged policy does not parse; fix it (cordon doctor) before committing" >&2
  exit 1
fi

if node -e '
  const c = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  const open = c.filter((x) => x.kind === "widening" && !x.acknowledged);
  for (const x of open) console.error(`  ${x.severity.padEnd(6)} ${x.key}: ${x.message}`);
  process.exit(open.length ? 1 : 0);
' "$tmp/changes.json"; then
  exit 0
fi
echo "cordon pre-commit: the policy change above widens what the agent may do. Review each line and, if it is intended, add to .cordon/policy.yaml:" >&2
echo "  acknowledged:" >&2
echo "    - { change: \"<key above>\", reason: \"<why>\", by: \"<your name>\" }" >&2
exit 1

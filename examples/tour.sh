#!/usr/bin/env bash
# The README's tour, line for line: run it in an empty folder (`bash path/to/examples/tour.sh`)
# with `morgue` on the PATH (`cargo install --path cli`). It makes `shared` (a link to the
# corpus beside the project) and `tour/` there, and runs every line in `tour/`, so that the
# paths read as they do in the README. The test suite runs it and checks what each line prints.
set -euo pipefail

project=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
shared=${MORGUE_SHARED:-$project/../shared}
if ! command -v morgue >/dev/null; then
  echo "morgue is not on the PATH: install it with \`cargo install --path cli\` in $project" >&2
  exit 2
fi
if [ ! -d "$shared/corpus/bbc" ]; then
  echo "no corpus at $shared/corpus: set MORGUE_SHARED to the folder that holds corpus/" >&2
  exit 2
fi
if [ -e tour ] || [ -e morgue-archive ]; then
  echo "run the tour in an empty folder: $(pwd) already has a tour" >&2
  exit 2
fi
ln -sfn "$shared" shared
mkdir tour
cd tour
unset MORGUE_ARCHIVE

# Each line is shown before it runs, as written.
trap 'printf "\n$ %s\n" "$BASH_COMMAND"' DEBUG

morgue import ../shared/corpus/bbc/*/             # files, directories (recursive) or - for stdin
morgue import ../shared/corpus/bbc/business/ --tag business   # known bytes: nothing stored, tag added
morgue import ../shared/corpus/samples/us-urged-twitter-iran.txt --tag iran --url https://example.com/a
morgue list --limit 3                             # table; --json, --jsonl or --csv for scripts
morgue show 00213243cb5e                          # any unique id prefix of 6+ hex digits
morgue show 00213243cb5e --raw > original.txt     # the exact bytes that were imported
morgue show 00213243cb5e --json                   # the document as JSON (fields, provenance, text)
morgue tag 00213243cb5e +politics -draft
morgue stats                                      # counts, raw bytes, bytes on disk
morgue export --format jsonl --out backup.jsonl   # restore with: morgue import backup.jsonl
morgue reindex                                    # index once; import, rm and tag keep it current
morgue query '"interest rates" -mortgage' --limit 5   # ranked hits with snippets
morgue query 'tele* title:econom* words:>300'     # prefix, field filter, range
morgue query 'economy tag:business' --count       # also site:, author:, dateline:, lang:, id:
morgue query 'twitter dateline:washington' --jsonl --fields dateline   # one JSON object a hit
morgue compact                                    # merge the index into one segment, give back space
morgue verify                                     # re-hash every document, check the index (--repair)
morgue export --query 'tag:iran' --out iran.jsonl # export just the matches
morgue rm 00213243cb5e
morgue plugins list                               # built-in extractors and registered plugins
morgue reextract --plugin structure --all         # rerun an extractor; raw bytes never change

#!/usr/bin/env python3
"""Scores a morgue export against an article-extraction benchmark's ground truth, as a check on
`morgue eval extraction` that shares none of its code.

    python3 score_export.py EXPORT.jsonl GROUND_TRUTH.json

EXPORT.jsonl is `morgue export --format jsonl --no-raw` of an archive the benchmark's html/
folder was imported into. Each document's prediction is its `fields.body` (empty when absent),
matched to the ground truth by the file name `<id>.html` among its `source.paths`; a page with
no document scores as an empty prediction. Prints one JSON object:
{"pages", "precision", "recall", "f1", "accuracy", "unmatched"}.

The metric, written from the description of the Zyte/Scrapinghub article-extraction-benchmark
(evaluate.py): tokens are the matches of the Unicode regex \\w+; a page's shingles are its
windows of 4 tokens (a text of 1 to 3 tokens is a single shingle, no tokens none); per page,
tp = shingles both have (counted with multiplicity), fp = predicted ones beyond the truth's,
fn = true ones beyond the prediction's, the three divided by their sum when it is not 0.
Precision of a page is 1 when fp = fn = 0, 0 when tp = fp = 0, else tp/(tp+fp); recall
likewise with fn. Precision is averaged over the pages with tp+fp > 0, recall over those with
tp+fn > 0; F1 = 2PR/(P+R) of the averages. Accuracy is the share of pages whose token lists are
equal.
"""

import json
import os
import re
import sys
from collections import Counter

WORD = re.compile(r"\w+")
N = 4


def shingle_bag(text):
    words = WORD.findall(text)
    if not words:
        return Counter()
    count = max(1, len(words) - N + 1)
    return Counter(tuple(words[i : i + N]) for i in range(count))


def page_counts(truth, prediction):
    t, p = shingle_bag(truth), shingle_bag(prediction)
    tp = sum((t & p).values())
    fp = sum((p - t).values())
    fn = sum((t - p).values())
    total = tp + fp + fn
    if total:
        return tp / total, fp / total, fn / total
    return 0.0, 0.0, 0.0


def page_precision(tp, fp, fn):
    if fp == 0 and fn == 0:
        return 1.0
    if tp == 0 and fp == 0:
        return 0.0
    return tp / (tp + fp)


def page_recall(tp, fp, fn):
    if fp == 0 and fn == 0:
        return 1.0
    if tp == 0 and fn == 0:
        return 0.0
    return tp / (tp + fn)


def average(values):
    return sum(values) / len(values) if values else 0.0


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    export_path, truth_path = sys.argv[1], sys.argv[2]
    with open(truth_path, encoding="utf-8") as f:
        truth = json.load(f)
    predictions = {}
    with open(export_path, encoding="utf-8") as f:
        for line in f:
            doc = json.loads(line)
            if "morgue_export" in doc:
                continue
            body = doc.get("fields", {}).get("body") or ""
            for path in doc.get("source", {}).get("paths", []):
                name = os.path.basename(path)
                if name.endswith(".html") and name[: -len(".html")] in truth:
                    predictions[name[: -len(".html")]] = body
    counts, exact = [], []
    for page_id in sorted(truth):
        true_text = truth[page_id].get("articleBody") or ""
        predicted = predictions.get(page_id, "")
        counts.append(page_counts(true_text, predicted))
        exact.append(WORD.findall(true_text) == WORD.findall(predicted))
    precision = average([page_precision(*c) for c in counts if c[0] + c[1] > 0])
    recall = average([page_recall(*c) for c in counts if c[0] + c[2] > 0])
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    print(
        json.dumps(
            {
                "pages": len(counts),
                "precision": precision,
                "recall": recall,
                "f1": f1,
                "accuracy": average([1.0 if e else 0.0 for e in exact]),
                "unmatched": len(truth) - len(predictions),
            }
        )
    )


if __name__ == "__main__":
    main()

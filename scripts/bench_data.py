#!/usr/bin/env python3
"""Deterministic input data for `scripts/bench`.

    bench_data.py validate --rows N --out DIR [--seed S]
        DIR/validate-<label>.csv and .jsonl: N criterion rows (N/20 assessments x 20 criteria,
        categories 1..5 with criteria 4c-3..4c, scores 0..10), plus DIR/sim-seed-<label>.json, an
        `assessment-sim --seed-file` that holds exactly those assessments (one 20-criterion
        scorecard, every assessment editable), so the same file can also be applied.
    bench_data.py apply --state STATE.json --count K --out DIR [--seed S] [--name NAME]
        From the JSON of a running simulator's GET /__sim/state: DIR/NAME.csv, NAME.jsonl and
        NAME.requests (one 'id<TAB>PATCH body' line per assessment, for wrk and xargs+curl) for K
        editable assessments, every criterion of each one's scorecard with a score in range.

Files are rewritten only when missing or made by other parameters (a .stamp file beside them).
"""

import argparse
import json
import os
import random
import sys
from datetime import datetime, timedelta, timezone

VERSION = 3  # bump when the generated content changes
CRITERIA_PER_ASSESSMENT = 20
STATES = ("reviewedBySupervisor", "discussedWithAssessee")
OFFSETS = (timezone.utc, timezone(timedelta(hours=2)), timezone(timedelta(hours=-5)), timezone(timedelta(hours=5, minutes=30)))
REFUSING_STATES = {"unprocessed", "aiInProgress", "error", "deleted"}
REASONS = (
    "Greeting was warm and personal.",
    "Clear structure, easy to follow.",
    "Solution was correct and complete.",
    "Tone is fine but a little formal.",
    "One question was answered only partially.",
    'Agent said "no problem" twice; fine.',
    "No greeting at all.",
    "Wrong tariff information given.",
    "Begrüßung fehlte; Tarif korrekt erklärt.",
    "Summary present but incomplete, next steps unclear.",
    "Customer data disclosed without verification.",
    "Followed the process exactly.",
)
SUPERVISOR_TEXTS = (
    "Focus on clearer closing.",
    "Great work, keep it up.",
    "Please double-check tariff details before replying.",
    "Good empathy; work on shorter paragraphs.",
    'Discussed the "verification first" rule with the agent.',
    "Solid, but the summary was missing, see ticket notes.",
)
BASE_DATE = datetime(2025, 6, 2, 8, 0, 0, tzinfo=timezone.utc)
FIRST_ID = 100_001


def label(rows):
    if rows % 1_000_000 == 0:
        return f"{rows // 1_000_000}m"
    if rows % 1_000 == 0:
        return f"{rows // 1_000}k"
    return str(rows)


def csv_field(text):
    if any(c in text for c in ',";\t\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def rfc3339(moment, offset):
    local = moment.astimezone(offset)
    text = local.strftime("%Y-%m-%dT%H:%M:%S")
    if offset is timezone.utc:
        return text + "Z"
    return text + local.strftime("%z")[:3] + ":" + local.strftime("%z")[3:]


def fresh(stamp_path, key):
    try:
        with open(stamp_path) as handle:
            return handle.read() == key
    except OSError:
        return False


def write_stamp(stamp_path, key):
    with open(stamp_path, "w") as handle:
        handle.write(key)


def replace(tmp, final):
    os.replace(tmp, final)


def generate_validate(rows, out_dir, seed):
    if rows % CRITERIA_PER_ASSESSMENT:
        sys.exit(f"bench_data: --rows must be a multiple of {CRITERIA_PER_ASSESSMENT}")
    name = label(rows)
    csv_path = os.path.join(out_dir, f"validate-{name}.csv")
    jsonl_path = os.path.join(out_dir, f"validate-{name}.jsonl")
    seed_path = os.path.join(out_dir, f"sim-seed-{name}.json")
    stamp = os.path.join(out_dir, f"validate-{name}.stamp")
    key = f"v{VERSION} rows={rows} seed={seed}"
    if fresh(stamp, key) and all(os.path.exists(p) for p in (csv_path, jsonl_path, seed_path)):
        print(f"bench_data: {csv_path}, {jsonl_path} up to date", file=sys.stderr)
        return
    rng = random.Random(seed)
    assessments = rows // CRITERIA_PER_ASSESSMENT
    csv_reasons = [csv_field(r) for r in REASONS]
    json_reasons = [json.dumps(r, ensure_ascii=False) for r in REASONS]
    csv_texts = [csv_field(t) for t in SUPERVISOR_TEXTS]
    json_texts = [json.dumps(t, ensure_ascii=False) for t in SUPERVISOR_TEXTS]
    with open(csv_path + ".tmp", "w", encoding="utf-8", newline="") as csv_out, \
            open(jsonl_path + ".tmp", "w", encoding="utf-8", newline="") as jsonl_out:
        csv_out.write("assessmentId,categoryId,criterionId,score,reason,supervisorAssessment,state,assessmentDate\n")
        csv_lines, jsonl_lines = [], []
        for a in range(assessments):
            assessment_id = FIRST_ID + a
            state = STATES[rng.random() < 0.3]
            text = rng.randrange(len(SUPERVISOR_TEXTS))
            moment = BASE_DATE + timedelta(seconds=a * 137 + rng.randrange(60))
            date = rfc3339(moment, OFFSETS[rng.randrange(len(OFFSETS))])
            csv_tail = f"{csv_texts[text]},{state},{date}\n"
            json_tail = f'"supervisorAssessment":{json_texts[text]},"state":"{state}","assessmentDate":"{date}"}}\n'
            for k in range(CRITERIA_PER_ASSESSMENT):
                category = k // 4 + 1
                criterion = k + 1
                u = rng.random()
                if u < 0.08:  # reason only
                    score = None
                    reason = rng.randrange(len(REASONS))
                elif u < 0.20:  # score only
                    score = rng.randrange(11)
                    reason = None
                else:
                    score = rng.randrange(11)
                    reason = rng.randrange(len(REASONS))
                csv_lines.append(
                    f"{assessment_id},{category},{criterion},{'' if score is None else score},"
                    f"{'' if reason is None else csv_reasons[reason]},{csv_tail}")
                parts = [f'{{"assessmentId":{assessment_id},"categoryId":{category},"criterionId":{criterion},']
                if score is not None:
                    parts.append(f'"score":{score},')
                if reason is not None:
                    parts.append(f'"reason":{json_reasons[reason]},')
                parts.append(json_tail)
                jsonl_lines.append("".join(parts))
            if len(csv_lines) >= 20_000:
                csv_out.write("".join(csv_lines))
                jsonl_out.write("".join(jsonl_lines))
                csv_lines, jsonl_lines = [], []
        csv_out.write("".join(csv_lines))
        jsonl_out.write("".join(jsonl_lines))
    replace(csv_path + ".tmp", csv_path)
    replace(jsonl_path + ".tmp", jsonl_path)
    write_seed_file(seed_path, assessments)
    write_stamp(stamp, key)
    print(f"bench_data: wrote {csv_path}, {jsonl_path}, {seed_path} ({rows} rows, {assessments} assessments)", file=sys.stderr)


def write_seed_file(path, assessments):
    """A simulator seed file holding the validate data's assessments, all editable."""
    categories = []
    for c in range(5):
        criteria = [
            {"id": 4 * c + k + 1, "label": f"Criterion {4 * c + k + 1}", "maxPoints": 10, "scoringType": "numericScale"}
            for k in range(4)
        ]
        categories.append({"categoryId": c + 1, "label": f"Category {c + 1}", "order": c + 1, "criteria": criteria})
    scorecard = {"id": 1, "name": "Benchmark Scorecard", "state": "active", "categories": categories}
    created = "2025-06-01T00:00:00Z"
    with open(path + ".tmp", "w", encoding="utf-8") as out:
        out.write('{"$comment":"generated by scripts/bench_data.py for scripts/bench","scorecards":[')
        out.write(json.dumps(scorecard, separators=(",", ":")))
        out.write('],"assessments":[')
        for a in range(assessments):
            if a:
                out.write(",")
            out.write(
                f'{{"id":{FIRST_ID + a},"scorecardId":1,"state":"aiReady","assessedUser":{40 + a % 20},'
                f'"ticketId":{200_000 + a},"createdAt":"{created}"}}')
        out.write("]}\n")
    replace(path + ".tmp", path)


def generate_apply(state_path, count, out_dir, seed, name):
    with open(state_path, encoding="utf-8") as handle:
        state = json.load(handle)
    scorecards = {card["id"]: card for card in state["scorecards"]}
    editable = [
        a for a in state["assessments"]
        if a.get("canEdit") and a.get("state") not in REFUSING_STATES and a.get("scorecardId") in scorecards
    ]
    if len(editable) < count:
        sys.exit(f"bench_data: the simulator has only {len(editable)} editable assessments, {count} wanted "
                 f"(start it with more --assessments)")
    rng = random.Random(seed)
    chosen = sorted(rng.sample(editable, count), key=lambda a: a["id"])
    csv_path = os.path.join(out_dir, f"{name}.csv")
    jsonl_path = os.path.join(out_dir, f"{name}.jsonl")
    requests_path = os.path.join(out_dir, f"{name}.requests")
    rows = 0
    with open(csv_path, "w", encoding="utf-8", newline="") as csv_out, \
            open(jsonl_path, "w", encoding="utf-8", newline="") as jsonl_out, \
            open(requests_path, "w", encoding="utf-8", newline="") as requests_out:
        csv_out.write("assessmentId,categoryId,criterionId,score,reason,supervisorAssessment,state,assessmentDate\n")
        for a, assessment in enumerate(chosen):
            card = scorecards[assessment["scorecardId"]]
            text = SUPERVISOR_TEXTS[rng.randrange(len(SUPERVISOR_TEXTS))]
            target_state = STATES[rng.random() < 0.3]
            if assessment.get("state") == "discussedWithAssessee":
                target_state = "discussedWithAssessee"  # moving back would be a state regression
            date = rfc3339(BASE_DATE + timedelta(seconds=a * 311), OFFSETS[rng.randrange(len(OFFSETS))])
            criteria = []
            for category in card["categories"]:
                for criterion in category["criteria"]:
                    top = criterion["maxPoints"]
                    score = rng.choice((0, top)) if criterion["scoringType"] == "metNotMet" else rng.randrange(top + 1)
                    criteria.append({
                        "categoryId": category["categoryId"], "criterionId": criterion["id"], "score": score,
                        "reason": REASONS[rng.randrange(len(REASONS))],
                    })
            for c in criteria:
                rows += 1
                csv_out.write(
                    f"{assessment['id']},{c['categoryId']},{c['criterionId']},{c['score']},{csv_field(c['reason'])},"
                    f"{csv_field(text)},{target_state},{date}\n")
                jsonl_out.write(json.dumps({
                    "assessmentId": assessment["id"], **c, "supervisorAssessment": text, "state": target_state,
                    "assessmentDate": date}, ensure_ascii=False, separators=(",", ":")) + "\n")
            body = {"criteria": criteria, "supervisorAssessment": text, "state": target_state, "assessmentDate": date}
            requests_out.write(f"{assessment['id']}\t{json.dumps(body, ensure_ascii=False, separators=(',', ':'))}\n")
    print(f"bench_data: wrote {csv_path}, {jsonl_path}, {requests_path} "
          f"({count} of {len(editable)} editable assessments, {rows} rows)", file=sys.stderr)


def generate_encoded(source, out_dir):
    """The same file as `source` (UTF-8) in the encodings Excel writes: DIR/<stem>.windows-1252.csv
    and DIR/<stem>.utf-16.csv (UTF-16LE with a BOM, as Excel's "Unicode Text"; the delimiter stays
    a comma, so the tool reads exactly the same rows). Streamed, regenerated only when stale."""
    stem = os.path.splitext(os.path.basename(source))[0]
    targets = ((os.path.join(out_dir, f"{stem}.windows-1252.csv"), "cp1252", ""),
               (os.path.join(out_dir, f"{stem}.utf-16.csv"), "utf-16-le", "\ufeff"))
    source_time = os.path.getmtime(source)
    for path, encoding, bom in targets:
        if os.path.exists(path) and os.path.getmtime(path) >= source_time:
            print(f"bench_data: {path} up to date", file=sys.stderr)
            continue
        with open(source, encoding="utf-8", newline="") as src, open(path + ".tmp", "w", encoding=encoding, newline="") as dst:
            dst.write(bom)
            while True:
                block = src.read(1 << 20)
                if not block:
                    break
                dst.write(block)
        replace(path + ".tmp", path)
        print(f"bench_data: wrote {path}", file=sys.stderr)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    e = sub.add_parser("encoded")
    e.add_argument("--source", required=True)
    e.add_argument("--out", required=True)
    v = sub.add_parser("validate")
    v.add_argument("--rows", type=int, required=True)
    v.add_argument("--out", required=True)
    v.add_argument("--seed", type=int, default=20250601)
    a = sub.add_parser("apply")
    a.add_argument("--state", required=True)
    a.add_argument("--count", type=int, required=True)
    a.add_argument("--out", required=True)
    a.add_argument("--seed", type=int, default=7)
    a.add_argument("--name", default=None)
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    if args.command == "validate":
        generate_validate(args.rows, args.out, args.seed)
    elif args.command == "encoded":
        generate_encoded(args.source, args.out)
    else:
        generate_apply(args.state, args.count, args.out, args.seed, args.name or f"apply-{args.count}")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""The script a careful user would write instead of `assessment-batch validate`.

It is the baseline of `scripts/bench`: plain Python 3 with the standard `csv` and `json`
modules, the same checks as the tool (header, ids, scores, criterion completeness, state enum,
RFC 3339 dates with an offset, assessment-level values agreeing across rows, duplicate
criteria) and the same grouping into one PATCH body per assessment, kept in a dict.

    baseline_validate.py FILE...        exit 0 valid, 2 invalid; problems and summary on stderr

`load(paths)` is also imported by `baseline_apply.py`.
"""

import csv
import json
import os
import sys
from datetime import datetime

ROW_LEVEL = ("assessmentId",)
CRITERION_LEVEL = ("categoryId", "criterionId", "score", "reason")
ASSESSMENT_LEVEL = (
    "aiSummary", "supervisorAssessment", "assessmentDate", "discussionDate", "state",
    "scorecardId", "expectedModifiedAt",
)
IGNORED = ("error", "errorKind", "sourceLine")
KNOWN = {name.lower(): name for name in ROW_LEVEL + CRITERION_LEVEL + ASSESSMENT_LEVEL + IGNORED}
STATES = ("reviewedBySupervisor", "discussedWithAssessee")
DATE_FIELDS = ("assessmentDate", "discussionDate", "expectedModifiedAt")
# Fields that are PATCH body keys; scorecardId and expectedModifiedAt are guards, not sent.
BODY_FIELDS = ("aiSummary", "supervisorAssessment", "assessmentDate", "discussionDate", "state")

csv.field_size_limit(16 * 1024 * 1024)


class Problems:
    def __init__(self):
        self.count = 0

    def add(self, where, message):
        self.count += 1
        if self.count <= 50:
            print(f"{where}: {message}", file=sys.stderr)
        elif self.count == 51:
            print("(further problems not shown)", file=sys.stderr)


def positive_int(value):
    """A positive integer from a CSV string or a JSON number; None if it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value > 0 else None
    if isinstance(value, str) and value.isdigit() and value.isascii():
        number = int(value)
        return number if number > 0 else None
    return None


def whole_number(value):
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, float):
        return int(value) if value.is_integer() and value >= 0 else None
    if isinstance(value, str) and value.isdigit() and value.isascii():
        return int(value)
    return None


def parse_date(text):
    """RFC 3339 date-time with an offset (fromisoformat accepts 'Z' since 3.11)."""
    if not isinstance(text, str) or len(text) < 20 or text[10] not in "Tt":
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        return None
    return value if value.tzinfo is not None else None


def blank(value):
    return value is None or value == ""


class Grouper:
    """Checks rows and groups them into {assessmentId: PATCH body}."""

    def __init__(self, problems):
        self.problems = problems
        self.bodies = {}        # id -> {"criteria": [...], field: value}
        self.criteria = {}      # id -> {(categoryId, criterionId): criterion dict}
        self.levels = {}        # id -> {field: (raw value, instant or value, where)}
        self.rows = 0

    def row(self, where, values):
        """values: dict of canonical column name -> raw value (str from CSV, any from JSON)."""
        self.rows += 1
        ok = True
        assessment = positive_int(values.get("assessmentId"))
        if assessment is None:
            self.problems.add(where, f"assessmentId must be a positive integer, got {values.get('assessmentId')!r}")
            return
        category_raw, criterion_raw = values.get("categoryId"), values.get("criterionId")
        score_raw, reason = values.get("score"), values.get("reason")
        criterion = None
        if not blank(category_raw) or not blank(criterion_raw):
            category_id = positive_int(category_raw)
            criterion_id = positive_int(criterion_raw)
            if category_id is None:
                self.problems.add(where, f"categoryId must be a positive integer, got {category_raw!r}")
                ok = False
            if criterion_id is None:
                self.problems.add(where, f"criterionId must be a positive integer, got {criterion_raw!r}")
                ok = False
            score = None
            if not blank(score_raw):
                score = whole_number(score_raw)
                if score is None:
                    self.problems.add(where, f"score must be a whole number >= 0, got {score_raw!r}")
                    ok = False
            if reason is not None and not isinstance(reason, str):
                self.problems.add(where, "reason must be text")
                ok = False
            if blank(score_raw) and blank(reason):
                self.problems.add(where, "a criterion row needs a score or a reason")
                ok = False
            if ok:
                criterion = {"categoryId": category_id, "criterionId": criterion_id}
                if score is not None:
                    criterion["score"] = score
                if not blank(reason):
                    criterion["reason"] = reason
        elif not blank(score_raw) or not blank(reason):
            self.problems.add(where, "score and reason need categoryId and criterionId")
            ok = False

        levels = {}
        for field in ASSESSMENT_LEVEL:
            raw = values.get(field)
            if blank(raw):
                continue
            if field == "state":
                if raw not in STATES:
                    self.problems.add(where, f"state must be one of {', '.join(STATES)}, got {raw!r}")
                    ok = False
                    continue
                levels[field] = (raw, raw)
            elif field in DATE_FIELDS:
                instant = parse_date(raw)
                if instant is None:
                    self.problems.add(where, f"{field} must be an RFC 3339 date-time with offset, got {raw!r}")
                    ok = False
                    continue
                levels[field] = (raw, instant)
            elif field == "scorecardId":
                number = positive_int(raw)
                if number is None:
                    self.problems.add(where, f"scorecardId must be a positive integer, got {raw!r}")
                    ok = False
                    continue
                levels[field] = (raw, number)
            else:
                if not isinstance(raw, str):
                    self.problems.add(where, f"{field} must be text")
                    ok = False
                    continue
                levels[field] = (raw, raw)
        if not ok:
            return

        body = self.bodies.get(assessment)
        if body is None:
            body = self.bodies[assessment] = {"criteria": []}
            self.criteria[assessment] = {}
            self.levels[assessment] = {}
        known = self.levels[assessment]
        for field, (raw, value) in levels.items():
            previous = known.get(field)
            if previous is None:
                known[field] = (raw, value, where)
                if field in BODY_FIELDS:
                    body[field] = raw
            elif previous[1] != value:
                self.problems.add(where, f"{field} {raw!r} disagrees with {previous[0]!r} at {previous[2]} for assessment {assessment}")
        if criterion is not None:
            key = (criterion["categoryId"], criterion["criterionId"])
            seen = self.criteria[assessment].get(key)
            if seen is None:
                self.criteria[assessment][key] = criterion
                body["criteria"].append(criterion)
            elif seen != criterion:
                self.problems.add(where, f"criterion {key[1]} of category {key[0]} appears twice for assessment {assessment} with different values")

    def finish(self):
        for body in self.bodies.values():
            if not body["criteria"]:
                del body["criteria"]
        return self.bodies


def read_csv(path, grouper, problems):
    with open(path, newline="", encoding="utf-8-sig") as handle:
        sample = handle.read(4096)
        handle.seek(0)
        first_line = sample.splitlines()[0] if sample else ""
        delimiter = max((",", ";", "\t"), key=first_line.count)
        reader = csv.reader(handle, delimiter=delimiter)
        try:
            header = next(reader)
        except StopIteration:
            problems.add(f"{path}:1", "empty file (a header row is required)")
            return
        names = []
        for column in header:
            name = KNOWN.get(column.strip().lower())
            if name is None:
                problems.add(f"{path}:1", f"unknown column {column!r}")
            names.append(name)
        if "assessmentId" not in names:
            problems.add(f"{path}:1", "the header has no assessmentId column")
            return
        data_rows = 0
        for record in reader:
            if not record or record == [""]:
                continue
            data_rows += 1
            where = f"{path}:{reader.line_num}"
            if len(record) != len(names):
                problems.add(where, f"expected {len(names)} fields, found {len(record)}")
                continue
            grouper.row(where, {name: value for name, value in zip(names, record) if name is not None})
        if data_rows == 0:
            problems.add(f"{path}:1", "the file has a header but no rows")


def read_jsonl(path, grouper, problems):
    data_rows = 0
    with open(path, encoding="utf-8-sig") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            data_rows += 1
            where = f"{path}:{number}"
            try:
                item = json.loads(line)
            except ValueError as error:
                problems.add(where, f"not JSON: {error}")
                continue
            if not isinstance(item, dict):
                problems.add(where, "each line must be a JSON object")
                continue
            unknown = [key for key in item if key.lower() not in KNOWN and key != "criteria"]
            if unknown:
                problems.add(where, f"unknown key {unknown[0]!r}")
                continue
            values = {KNOWN[key.lower()]: value for key, value in item.items() if key != "criteria"}
            if "criteria" in item:  # a whole update: one row per criterion
                criteria = item["criteria"]
                if not isinstance(criteria, list) or not criteria:
                    problems.add(where, "criteria must be a non-empty array")
                    continue
                for criterion in criteria:
                    if not isinstance(criterion, dict):
                        problems.add(where, "each criterion must be an object")
                        continue
                    grouper.row(where, {**values, **criterion})
            else:
                grouper.row(where, values)
    if data_rows == 0:
        problems.add(f"{path}:1", "empty file")


def load(paths):
    """Returns (bodies, rows, problem count)."""
    problems = Problems()
    grouper = Grouper(problems)
    for path in paths:
        extension = os.path.splitext(path)[1].lower()
        if extension in (".jsonl", ".ndjson"):
            read_jsonl(path, grouper, problems)
        elif extension in (".csv", ".tsv"):
            read_csv(path, grouper, problems)
        else:
            problems.add(path, "unknown file type (expected .csv, .tsv, .jsonl or .ndjson)")
    return grouper.finish(), grouper.rows, problems.count


def main(argv):
    if not argv:
        print("usage: baseline_validate.py FILE...", file=sys.stderr)
        return 2
    bodies, rows, problem_count = load(argv)
    if problem_count:
        print(f"baseline_validate: {problem_count} problems in {rows} rows; nothing would be sent", file=sys.stderr)
        return 2
    print(f"baseline_validate: valid: {rows} rows, {len(bodies)} assessments", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

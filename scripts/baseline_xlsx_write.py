#!/usr/bin/env python3
"""The XlsxWriter baseline of the .xlsx export: writes the rows of an `export --output X.jsonl`
as the tool writes its workbook (Text-formatted text columns, number cells for ids and
scores, bold frozen filtered header, protection with the editable cells unlocked, grey
read-only rows, the score and state validations grouped into multi-range elements, an
`about` sheet), and prints the seconds the writing took (reading the JSONL is not timed).

    baseline_xlsx_write.py SHEET.jsonl OUT.xlsx [--default-mode]

XlsxWriter runs in constant_memory mode (rows streamed, inline strings: its fastest mode and
the one whose memory stays flat, as the tool's does); --default-mode keeps whole sheets in
memory with a shared-string table instead.
"""

import json
import sys
import time

import xlsxwriter

IDS = {"assessmentId", "assessedUser", "ticketId", "scorecardId", "categoryId", "criterionId", "maxPoints"}
SCORES = {"score", "scoreBefore"}
CRITERION_EDITABLE = ["score", "reason"]
ASSESSMENT_EDITABLE = ["state", "aiSummary", "supervisorAssessment", "assessmentDate", "discussionDate"]
UNEDITABLE = {"unprocessed", "aiInProgress", "error", "deleted"}
STATES = ["reviewedBySupervisor", "discussedWithAssessee"]


def main():
    source, out = sys.argv[1], sys.argv[2]
    constant_memory = "--default-mode" not in sys.argv
    rows = []
    with open(source, encoding="utf-8") as handle:
        for line in handle:
            rows.append(json.loads(line))
    columns = list(rows[0].keys()) if rows else []
    position = {name: i for i, name in enumerate(columns)}

    started = time.perf_counter()
    book = xlsxwriter.Workbook(out, {"constant_memory": constant_memory})
    sheet = book.add_worksheet("assessments")
    kinds = ["id" if c in IDS else "score" if c in SCORES else "text" for c in columns]
    number_format = {"id": "0", "score": "General", "text": "@"}
    fmt = {}
    for kind in ("id", "score", "text"):
        fmt[(kind, "locked")] = book.add_format({"num_format": number_format[kind]})
        fmt[(kind, "unlocked")] = book.add_format({"num_format": number_format[kind], "locked": False, "bg_color": "#FFF2CC"})
        fmt[(kind, "shaded")] = book.add_format({"num_format": number_format[kind], "bg_color": "#E7E6E6", "font_color": "#808080"})
    header = book.add_format({"bold": True, "bg_color": "#D9E1F2", "bottom": 1, "num_format": "@"})
    for i, name in enumerate(columns):
        sheet.set_column(i, i, 12, fmt[(kinds[i], "locked")])
    for i, name in enumerate(columns):
        sheet.write_string(0, i, name, header)
    validations = {}  # (column, rule) -> [rows]
    state = None
    previous = None
    for r, row in enumerate(rows, start=1):
        first = row["assessmentId"] != previous
        previous = row["assessmentId"]
        if first:
            state = row.get("stateBefore")
        shaded = row.get("canEdit") is False or state in UNEDITABLE
        unlocked = set()
        if not shaded:
            if row.get("categoryId") is not None:
                unlocked.update(CRITERION_EDITABLE)
                if row.get("maxPoints") is not None:
                    rule = ("list", row["maxPoints"]) if row.get("scoringType") == "metNotMet" else ("whole", row["maxPoints"])
                    validations.setdefault(("score", rule), []).append(r)
            if first:
                unlocked.update(ASSESSMENT_EDITABLE)
                validations.setdefault(("state", ("states",)), []).append(r)
        for i, name in enumerate(columns):
            value = row[name]
            style = fmt[(kinds[i], "shaded" if shaded else "unlocked" if name in unlocked else "locked")]
            if value is None:
                if shaded or name in unlocked:
                    sheet.write_blank(r, i, None, style)
            elif isinstance(value, bool):
                sheet.write_string(r, i, "true" if value else "false", style)
            elif isinstance(value, (int, float)):
                sheet.write_number(r, i, value, style)
            else:
                sheet.write_string(r, i, value, style)
    last = len(rows)
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, last, len(columns) - 1)
    sheet.protect("", {"autofilter": True, "format_columns": True})
    for (name, rule), numbers in validations.items():
        letter = xlsxwriter.utility.xl_col_to_name(position[name])
        runs = []
        for n in numbers:
            if runs and runs[-1][1] + 1 == n:
                runs[-1][1] = n
            else:
                runs.append([n, n])
        for start in range(0, len(runs), 500):
            refs = " ".join(f"{letter}{a + 1}" if a == b else f"{letter}{a + 1}:{letter}{b + 1}" for a, b in runs[start:start + 500])
            first_row, first_col = xlsxwriter.utility.xl_cell_to_rowcol(refs.split()[0].split(":")[0])
            if rule[0] == "states":
                options = {"validate": "list", "source": STATES, "error_message": "pick a state"}
            elif rule[0] == "list":
                options = {"validate": "list", "source": ["0", str(rule[1])], "error_message": f"0 or {rule[1]}"}
            else:
                options = {"validate": "integer", "criteria": "between", "minimum": 0, "maximum": rule[1],
                           "error_message": f"0 to {rule[1]}"}
            options["multi_range"] = refs
            sheet.data_validation(first_row, first_col, first_row, first_col, options)
    about = book.add_worksheet("about")
    about.write_string(0, 0, "server")
    about.write_string(0, 1, "http://127.0.0.1/api/mind")
    book.close()
    print(f"{time.perf_counter() - started:.3f}")


if __name__ == "__main__":
    main()

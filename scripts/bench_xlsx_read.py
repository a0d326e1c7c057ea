"""The .xlsx reading case of scripts/bench: the same 100,000-row workbook read by
`assessment-batch validate`, by python-calamine (Rust) and by openpyxl in read-only mode.

    python3 scripts/bench_xlsx_read.py generate OUT.xlsx ROWS   writes the workbook (deterministic)
    python3 scripts/bench_xlsx_read.py calamine FILE.xlsx       reads every cell value with python-calamine
    python3 scripts/bench_xlsx_read.py openpyxl FILE.xlsx       reads every cell value with openpyxl read_only=True

The workbook has the columns `export` writes, one row per criterion (25 columns, texts in shared
strings, ids and scores as numbers, a few dates as date cells), as a reviewer's sheet looks after
a spreadsheet program saved it. The readers on the Python side only read (they count the rows);
`validate` reads, decodes and checks every row, so it does strictly more work.
"""

import datetime
import random
import sys

COLUMNS = ["assessmentId", "assessedUser", "ticketId", "canEdit", "scorecardId", "categoryId", "categoryName",
           "criterionId", "criterionName", "scoringType", "maxPoints", "score", "scoreBefore", "reason", "reasonBefore",
           "state", "stateBefore", "aiSummary", "aiSummaryBefore", "supervisorAssessment", "supervisorAssessmentBefore",
           "assessmentDate", "assessmentDateBefore", "discussionDate", "discussionDateBefore"]
WORDS = ["Kunde", "freundlich", "begrüßt", "Lösung", "angeboten", "Rückfrage", "Vertrag", "Zählerstand", "geklärt",
         "Abschlag", "erklärt", "Termin", "vereinbart", "Tarif", "gewechselt", "danke", "gut", "zügig"]


def generate(path, rows):
    import openpyxl
    rng = random.Random(20)
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("assessments")
    ws.append(COLUMNS)
    criteria_per_assessment = 8
    written = 0
    assessment = 900_000
    base = datetime.datetime(2024, 6, 1, 9, 0)
    while written < rows:
        assessment += 1
        user = f"agent{rng.randrange(200):03d}@example.com"
        ticket = str(rng.randrange(10**6, 10**7))
        summary = " ".join(rng.choice(WORDS) for _ in range(rng.randrange(12, 30)))
        day = base + datetime.timedelta(hours=rng.randrange(24 * 180))
        for criterion in range(1, criteria_per_assessment + 1):
            if written == rows:
                break
            first = criterion == 1
            score = rng.randrange(0, 6)
            reason = " ".join(rng.choice(WORDS) for _ in range(rng.randrange(3, 12)))
            ws.append([
                assessment, user, ticket, "true", 3, 1 + (criterion - 1) // 4, f"Kategorie {1 + (criterion - 1) // 4}",
                criterion, f"Kriterium {criterion}", "numericScale", 5, score, score, reason, reason,
                None, "reviewOngoing" if first else None, summary if first else None, summary if first else None,
                None, None, day if first else None, day if first else None, None, None,
            ])
            written += 1
    wb.save(path)


def read_calamine(path):
    from python_calamine import CalamineWorkbook
    workbook = CalamineWorkbook.from_path(path)
    rows = workbook.get_sheet_by_index(0).to_python()
    print(len(rows) - 1)


def read_openpyxl(path):
    import openpyxl
    workbook = openpyxl.load_workbook(path, read_only=True)
    count = 0
    for _ in workbook.worksheets[0].iter_rows(values_only=True):
        count += 1
    print(count - 1)


XLSX_ROWS = 100_000
TARGET_VS_OPENPYXL = 20.0


def xlsx_read_case(bench, measure, Row, warm, failed_note, targets, python, data_dir):
    """Reads the 100,000-row workbook with the tool (`validate`, median of its runs), python-calamine
    and openpyxl read_only; the tool must be at least as fast as calamine, ≥ 20× faster than
    openpyxl, and stay within the RSS target. Wall time decides the targets; CPU time is in the
    table too (on a loaded machine it is the steadier of the two)."""
    import os
    import subprocess
    case = f"read .xlsx ({XLSX_ROWS // 1000}k rows, 25 columns)"
    for module, package in (("openpyxl", "openpyxl"), ("python_calamine", "python-calamine")):
        if subprocess.call([python, "-c", f"import {module}"], stderr=subprocess.DEVNULL) != 0:
            print(f"bench: installing {package} (PyPI) for the .xlsx reading case", file=sys.stderr, flush=True)
            if subprocess.call([python, "-m", "pip", "install", "--quiet", package], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) != 0:
                subprocess.call([python, "-m", "pip", "install", "--quiet", "--break-system-packages", package],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    path = os.path.join(data_dir, f"xlsx-{XLSX_ROWS // 1000}k.xlsx")
    if not os.path.exists(path):
        if subprocess.call([python, "-c", "import openpyxl"], stderr=subprocess.DEVNULL) != 0:
            bench.rows.append(Row(case, "assessment-batch", note="skipped: openpyxl is not installed (pip install openpyxl)"))
            return
        subprocess.check_call([python, __file__, "generate", path + ".tmp", str(XLSX_ROWS)])
        os.replace(path + ".tmp", path)
    warm(path)
    rss_target = f"RSS ≤ {targets['rss_mb']:.0f} MB"
    tool = bench.measure_median("xlsx-read-tool", [bench.tool, "validate", path, "--timezone", "UTC"])
    bench.results["xlsx-read-tool"] = tool
    others = {}
    for name, module in (("python-calamine", "python_calamine"), ("openpyxl read_only", "openpyxl")):
        if subprocess.call([python, "-c", f"import {module}"], stderr=subprocess.DEVNULL) != 0:
            bench.notes.append(f"{case}: python3 cannot import {module} (pip install {module.replace('_', '-')}): no {name} row")
            continue
        command = "calamine" if module == "python_calamine" else "openpyxl"
        m = measure(f"xlsx-read-{command}", [python, __file__, command, path], bench.run_dir, bench.timeout)
        bench.results[f"xlsx-read-{command}"] = m
        others[name] = m
    if not tool.ok:
        bench.rows.append(Row(case, "assessment-batch", tool, note=failed_note(tool), targets=[(rss_target, False)]))
        return
    verdicts = [(rss_target, tool.max_rss_mb <= targets["rss_mb"])]
    calamine = others.get("python-calamine")
    if calamine and calamine.ok:
        verdicts.append(("≤ calamine's time", tool.wall <= calamine.wall))
    pyxl = others.get("openpyxl read_only")
    if pyxl and pyxl.ok:
        verdicts.append((f"≥ {TARGET_VS_OPENPYXL:.0f}× openpyxl", pyxl.wall / tool.wall >= TARGET_VS_OPENPYXL))
    bench.rows.append(Row(case, "assessment-batch validate", tool, XLSX_ROWS / tool.wall, "rows/s", "", verdicts))
    for name, m in others.items():
        if m.ok:
            ratio = f"tool ×{m.wall / tool.wall:.1f} wall, ×{m.cpu / tool.cpu:.1f} CPU"
            bench.rows.append(Row(case, name, m, XLSX_ROWS / m.wall, "rows/s", ratio))
        else:
            bench.rows.append(Row(case, name, m, note=failed_note(m)))


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "generate":
        generate(sys.argv[2], int(sys.argv[3]))
    elif command == "calamine":
        read_calamine(sys.argv[2])
    elif command == "openpyxl":
        read_openpyxl(sys.argv[2])
    else:
        sys.exit(f"unknown command {command}")

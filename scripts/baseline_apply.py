#!/usr/bin/env python3
"""The script a careful user would write instead of `assessment-batch apply --no-preflight`.

It is a baseline of `scripts/bench`: read and check the files with baseline_validate.py (csv/json
modules, grouping into a dict), then send one PATCH per assessment with `requests` from a
ThreadPoolExecutor, one Session (so one kept-alive connection) per worker thread.

    ENNEO_TOKEN=... baseline_apply.py FILE... --base-url URL [--concurrency N]

Exit 0 when every assessment was answered 200, 1 otherwise, 2 for invalid input.
"""

import argparse
import os
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

import requests

sys.dont_write_bytecode = True  # no __pycache__ in scripts/
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from baseline_validate import load  # noqa: E402

local = threading.local()


def session(token):
    current = getattr(local, "session", None)
    if current is None:
        current = local.session = requests.Session()
        current.headers.update({"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    return current


def patch(base_url, token, assessment_id, body):
    try:
        response = session(token).patch(f"{base_url}/quality/assessment/{assessment_id}", json=body, timeout=60)
    except requests.RequestException as error:
        return assessment_id, None, str(error)
    if response.status_code != 200:
        return assessment_id, response.status_code, response.text[:200]
    response.json()  # a careful script at least checks that the answer is an assessment
    return assessment_id, 200, None


def main():
    parser = argparse.ArgumentParser(description="PATCH grouped assessment updates with requests + ThreadPoolExecutor.")
    parser.add_argument("files", nargs="+")
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    token = os.environ.get("ENNEO_TOKEN", "").strip()
    if not token:
        print("baseline_apply: set ENNEO_TOKEN", file=sys.stderr)
        return 2
    bodies, rows, problems = load(args.files)
    if problems:
        print(f"baseline_apply: {problems} problems; nothing sent", file=sys.stderr)
        return 2
    base_url = args.base_url.rstrip("/")
    applied = failed = 0
    with ThreadPoolExecutor(max_workers=args.concurrency) as pool:
        futures = [pool.submit(patch, base_url, token, assessment_id, body) for assessment_id, body in bodies.items()]
        for future in futures:
            assessment_id, status, error = future.result()
            if status == 200:
                applied += 1
            else:
                failed += 1
                if failed <= 10:
                    print(f"baseline_apply: assessment {assessment_id}: {status} {error}", file=sys.stderr)
    print(f"baseline_apply: {rows} rows, {len(bodies)} assessments: {applied} applied, {failed} failed", file=sys.stderr)
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())

"""Reads an Airflow DAG file without Airflow: its DAG's id, schedule and whether its start date is in UTC, the default args' retries
and retry delay, each `auralink_job(...)` task (job name, variable, execution timeout in seconds),
the `a >> b >> c` edges between their variables, and every string constant. Prints JSON; used by deploy-wrappers.test.ts."""

import ast
import json
import sys

UNITS = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400}


def seconds(node):
    """A `timedelta(minutes=…, …)` call of constants, in seconds; None for anything else."""
    if not (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "timedelta"):
        return None
    return sum(UNITS[keyword.arg] * keyword.value.value for keyword in node.keywords)


def constant(node):
    if isinstance(node, ast.Constant):
        return node.value
    return seconds(node)


def chain(node):
    """`a >> b >> c` as [a, b, c] (Airflow's >> answers its right side)."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.RShift):
        return chain(node.left) + chain(node.right)
    if isinstance(node, ast.Name):
        return [node.id]
    raise ValueError(f"line {node.lineno}: only `task >> task` chains are read")


def read(path, module_args):
    tree = ast.parse(open(path, encoding="utf-8").read(), filename=path)
    dag, tasks, edges = None, [], []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "DAG":
            dag = {keyword.arg: constant(keyword.value) for keyword in node.keywords if keyword.arg in ("dag_id", "schedule")}
            named = {keyword.arg: keyword.value for keyword in node.keywords}
            start = named.get("start_date")
            # Schedules are in the start date's timezone: `datetime(…, tzinfo=timezone.utc)`.
            dag["start_date_utc"] = isinstance(start, ast.Call) and any(
                keyword.arg == "tzinfo" and ast.unparse(keyword.value) == "timezone.utc" for keyword in start.keywords
            )
            if isinstance(named.get("default_args"), ast.Name) and named["default_args"].id in module_args:
                dag["default_args"] = module_args[named["default_args"].id]
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call) and getattr(node.value.func, "id", None) == "auralink_job":
            call = node.value
            keywords = {keyword.arg: keyword.value for keyword in call.keywords}
            tasks.append(
                {
                    "variable": node.targets[0].id,
                    "job": call.args[0].value,
                    "execution_timeout": seconds(keywords.get("execution_timeout")),
                }
            )
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.BinOp):
            names = chain(node.value)
            edges.extend([names[i], names[i + 1]] for i in range(len(names) - 1))
    strings = sorted({node.value for node in ast.walk(tree) if isinstance(node, ast.Constant) and isinstance(node.value, str)})
    return {"file": path, "dag": dag, "tasks": tasks, "edges": edges, "strings": strings}


def dicts(path):
    """The module-level dicts of constants (and timedeltas) of a file, by name: the shared DEFAULT_ARGS."""
    tree = ast.parse(open(path, encoding="utf-8").read(), filename=path)
    found = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Dict):
            found[node.targets[0].id] = {key.value: constant(value) for key, value in zip(node.value.keys, node.value.values)}
    return found


if __name__ == "__main__":
    helper, *dags = sys.argv[1:]
    print(json.dumps([read(path, dicts(helper)) for path in dags]))

"""The `.pyi` stubs of the `mrrc` package (bindings/python-pyo3/python/mrrc/
__init__.pyi) match the module at run time: every name in the stubs exists,
every public name of the module is in the stubs, classes have the stubs'
bases, methods and attributes, and functions and methods take the
parameters the stubs give them. So the stubs cannot drift from the code."""

import ast
import inspect
import pathlib
import subprocess
import sys

import pytest

mrrc = pytest.importorskip("mrrc")
STUB = pathlib.Path(mrrc.__file__).with_name("__init__.pyi")
TREE = ast.parse(STUB.read_text())


def stub_names(body):
    """name -> node of the definitions in a module or class body."""
    out = {}
    for node in body:
        if isinstance(node, (ast.ClassDef, ast.FunctionDef)):
            out.setdefault(node.name, []).append(node)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            out.setdefault(node.target.id, []).append(node)
        elif isinstance(node, ast.ImportFrom) and node.module == "mrrc":
            for alias in node.names:
                out.setdefault(alias.asname or alias.name, []).append(node)
    return out


MODULE = stub_names(TREE.body)
CLASSES = {name: nodes[0] for name, nodes in MODULE.items() if isinstance(nodes[0], ast.ClassDef)}
FUNCTIONS = {name: nodes for name, nodes in MODULE.items() if isinstance(nodes[0], ast.FunctionDef)}


def stub_params(defs):
    """Parameter names of a (possibly overloaded) stub function, without
    self/cls, in order of first appearance."""
    names = []
    for d in defs:
        a = d.args
        for arg in a.posonlyargs + a.args + ([a.vararg] if a.vararg else []) + a.kwonlyargs + (
            [a.kwarg] if a.kwarg else []
        ):
            if arg.arg not in names and arg.arg not in ("self", "cls"):
                names.append(arg.arg)
    return names


def runtime_params(obj):
    try:
        sig = inspect.signature(obj)
    except (TypeError, ValueError):
        return None
    return [p for p in sig.parameters if p not in ("self", "cls")]


def test_every_stub_name_exists_at_run_time():
    missing = [name for name in MODULE if not name.startswith("_") and not hasattr(mrrc, name)]
    assert missing == []
    assert isinstance(mrrc.__version__, str)


def test_every_public_name_has_a_stub():
    public = {n for n in vars(mrrc) if not n.startswith("_")}
    assert sorted(public - set(MODULE)) == []


@pytest.mark.parametrize("name", sorted(CLASSES))
def test_classes_have_the_stubs_bases_and_members(name):
    node, cls = CLASSES[name], getattr(mrrc, name)
    assert inspect.isclass(cls)
    for base in node.bases:
        if isinstance(base, ast.Name) and base.id in CLASSES:
            assert issubclass(cls, getattr(mrrc, base.id)), base.id
        elif isinstance(base, ast.Name) and base.id in ("Exception", "Warning"):
            assert issubclass(cls, getattr(__builtins__, base.id, None) or eval(base.id))
    init = getattr(cls, "__init__", None)
    assigned_in_init = set(getattr(getattr(init, "__code__", None), "co_names", ()))
    for member, defs in stub_names(node.body).items():
        if member in ("__init__",):
            continue
        has = hasattr(cls, member) or member in assigned_in_init
        assert has, f"{name}.{member}"
        # Dunder methods are slots: positional, their names do not matter.
        dunder = member.startswith("__")
        if not dunder and isinstance(defs[0], ast.FunctionDef) and not any(
            isinstance(d, ast.Name) and d.id == "property" for d in defs[0].decorator_list
        ):
            runtime = runtime_params(getattr(cls, member))
            if runtime is not None:
                assert runtime == stub_params(defs), f"{name}.{member}"


@pytest.mark.parametrize("name", sorted(n for n in CLASSES if n not in ("Subfield", "Indicators")))
def test_constructors_take_the_stubs_parameters(name):
    cls = getattr(mrrc, name)
    init = [d for d in CLASSES[name].body if isinstance(d, ast.FunctionDef) and d.name == "__init__"]
    runtime = runtime_params(cls)
    if init and runtime is not None:
        assert runtime == stub_params(init)


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_functions_take_the_stubs_parameters(name):
    runtime = runtime_params(getattr(mrrc, name))
    assert runtime is None or runtime == stub_params(FUNCTIONS[name])


USAGE = '''
import io
import mrrc

def titles(data: bytes) -> list[str]:
    out: list[str] = []
    for record in mrrc.MARCReader(io.BytesIO(data), threads=2):
        if record is None:
            continue
        title = record.title
        if isinstance(title, str):
            out.append(title)
        for field in record.get_fields("650"):
            for code, value in field:
                out.append(code + str(value))
        out.extend(str(v) for v in record.get_values("245", "a"))
    return out

record = mrrc.Record()
record.add_field(mrrc.Field(tag="245", indicators=mrrc.Indicators("0", "0"),
                            subfields=[mrrc.Subfield("a", "A title")]))
xml: bytes = mrrc.record_to_xml(record)
again: list[mrrc.Record] = mrrc.parse_xml_to_array(io.BytesIO(xml), strict=True, normalize_form="NFC")
packed: bytes = again[0].as_msgpack()
'''


def test_mypy_strict_accepts_typical_use(tmp_path):
    pytest.importorskip("mypy")
    script = tmp_path / "use_mrrc.py"
    script.write_text(USAGE)
    run = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--cache-dir", str(tmp_path / "c"), str(script)],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stdout + run.stderr

"""Input hardening: every form field has a length limit and a type, every model text field a
declared limit, uploads are judged by their content, and text is escaped wherever it is shown
(a markup payload written into every free-text column of every model, then every page read)."""

import importlib
import io
import pkgutil

import pytest
from django import forms
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from PIL import Image

import twoway
from twoway.appeals import flow
from twoway.appeals.models import Appeal, Category
from twoway.core.errors import DomainError

from .scope_registry import SEEDS
from .test_hardening_security import _page_urls

# ---- forms ----------------------------------------------------------------------------------


def _import_everything():
    for info in pkgutil.walk_packages(twoway.__path__, "twoway."):
        if ".migrations" in info.name or ".management" in info.name or info.name.endswith((".wsgi", ".demo")):
            continue
        try:
            importlib.import_module(info.name)
        except Exception:  # noqa: S112  (a module still being written by its owner)
            continue


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def project_forms() -> list[type]:
    _import_everything()
    found = {f for f in _subclasses(forms.BaseForm) if f.__module__.startswith("twoway.")}
    return sorted(found, key=lambda f: f"{f.__module__}.{f.__qualname__}")


# Defects found by the test below, in forms owned elsewhere (each is an unbounded text box or
# number a client can fill with megabytes or 20 digits). Add a line, with the reason, only for a
# form whose owner is fixing it; remove it when the form is fixed.
KNOWN_FORM_DEFECTS: dict[str, str] = {}


def _form_param(form):
    label = f"{form.__module__}.{form.__qualname__}"
    marks = [pytest.mark.xfail(strict=True, reason=KNOWN_FORM_DEFECTS[label])] if label in KNOWN_FORM_DEFECTS else []
    return pytest.param(form, marks=marks, id=label.split(".", 1)[1])


FORMS = project_forms()


def test_the_project_forms_are_found():
    names = {f.__qualname__ for f in FORMS}
    assert {"AppealForm", "RateForm", "ImportForm"} <= names


@pytest.mark.parametrize("form", [_form_param(f) for f in FORMS])
def test_every_form_field_has_a_limit_and_a_type(form):
    problems = []
    for name, field in form.base_fields.items():
        if type(field) is forms.Field:
            problems.append(f"{name}: untyped forms.Field")
        if isinstance(field, forms.CharField) and field.max_length is None:
            problems.append(f"{name}: {type(field).__name__} without max_length")
        if isinstance(field, forms.IntegerField | forms.DecimalField | forms.FloatField) and (
            field.max_value is None or field.min_value is None
        ):
            problems.append(f"{name}: {type(field).__name__} without min_value/max_value")
    assert not problems, f"{form.__module__}.{form.__qualname__}: " + "; ".join(problems)


# ---- models ---------------------------------------------------------------------------------

TEXT_FIELDS = sorted(
    (f"{m._meta.label}.{f.name}", f)
    for m in apps.get_models()
    if m.__module__.startswith("twoway.")
    for f in m._meta.concrete_fields
    if isinstance(f, models.CharField | models.TextField)
)


# Text fields whose limit is still to come, with the reason. Only the forward app may be listed
# here, while its own migration is being written; every other app declares its limits (and the
# domain function that writes the field enforces the same limit, tests/test_fuzz_domain.py).
# The forward fields got theirs with the task rollup migration, so nothing is pending now.
PENDING_TEXT_FIELDS: dict[str, str] = {}


def _text_field_param(label, field):
    marks = []
    if label in PENDING_TEXT_FIELDS:
        marks = [pytest.mark.xfail(strict=True, reason=PENDING_TEXT_FIELDS[label])]
    return pytest.param(label, field, marks=marks, id=label)


def test_only_forward_text_fields_may_wait_for_a_limit():
    assert all(label.startswith("forward.") for label in PENDING_TEXT_FIELDS)
    assert set(PENDING_TEXT_FIELDS) <= {label for label, _f in TEXT_FIELDS}


@pytest.mark.parametrize("label,field", [_text_field_param(label, f) for label, f in TEXT_FIELDS])
def test_every_model_text_field_declares_a_limit(label, field):
    assert field.max_length, f"{label}: declare max_length (the limit its domain function enforces)"
    assert field.max_length <= 100_000


# ---- uploads --------------------------------------------------------------------------------


def _png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (30, 20), "green").save(buf, "PNG")
    return buf.getvalue()


@pytest.mark.parametrize(
    "name,content",
    [
        ("photo.jpg", b"<html><script>alert(1)</script></html>"),
        ("photo.png", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
        ("photo.gif", b"GIF89a<?php system($_GET['c']); ?>"),
        ("photo.jpeg", b"MZ\x90\x00" + b"\x00" * 200),
        ("photo.webp", b""),
    ],
)
def test_an_upload_named_like_an_image_is_judged_by_its_content(tree, name, content, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    cat = Category.objects.filter(active=True, parent__isnull=False).first()
    with pytest.raises(DomainError) as refused:
        flow.appeal_submit(
            user=tree["resident"].user,
            category_id=cat.pk,
            description="楼道灯坏了",
            photos=[SimpleUploadedFile(name, content, content_type="image/jpeg")],
        )
    assert refused.value.field == "photos"
    assert not Appeal.objects.exists()


def test_a_real_image_with_any_name_is_accepted_and_kept_as_pixels(tree, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    cat = Category.objects.filter(active=True, parent__isnull=False).first()
    appeal = flow.appeal_submit(
        user=tree["resident"].user,
        category_id=cat.pk,
        description="楼道灯坏了",
        photos=[SimpleUploadedFile("scan.txt", _png(), content_type="text/plain")],
    )
    photo = appeal.photos.get()
    with photo.image.open("rb") as f:
        assert f.read(3) == b"\xff\xd8\xff"  # stored as a JPEG re-encoded from the pixels


# ---- escaping -------------------------------------------------------------------------------

PAYLOAD = "<xss-probe>\"'"
NOT_FREE_TEXT = {
    "path", "code", "hash", "prev_hash", "number", "idem_key", "sha256", "phone", "id_number",
    "username", "password", "token", "key", "key_hash", "prefix", "email", "icon", "url", "slug",
    "fmt", "language", "color", "building", "entrance", "room",
}  # fmt: skip


def _in_unique_sets(model) -> set[str]:
    names = {n for group in model._meta.unique_together for n in group}
    for constraint in model._meta.constraints:
        names |= set(getattr(constraint, "fields", ()) or ())
    return names


def _free_text_fields():
    for model in apps.get_models():
        if not model.__module__.startswith("twoway.") or model._meta.label == "core.User":
            continue
        unique = _in_unique_sets(model)
        names = [
            f.name
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField)
            and not f.choices
            and not f.unique
            and f.name not in NOT_FREE_TEXT
            and f.name not in unique
            and (f.max_length is None or f.max_length >= len(PAYLOAD))
        ]
        if names:
            yield model, names


@pytest.mark.parametrize(
    "who",
    [
        None,
        "district_staff",
        "community_secretary",
        "group_leader",
        "resident",
    ],
)
def test_markup_in_every_text_column_is_escaped_on_every_page(tree, login, client, who, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    for seed in SEEDS:
        seed(tree)
    columns = 0
    for model, names in _free_text_fields():
        model.objects.update(**dict.fromkeys(names, PAYLOAD))
        columns += len(names)
    assert columns > 40
    if who:
        client = login(tree[who])
    failures, shown = [], 0
    for name, url in _page_urls(tree):
        response = client.get(url)
        if response.status_code != 200 or not response.get("Content-Type", "").startswith("text/html"):
            continue
        body = response.content.decode()
        shown += body.count("&lt;xss-probe&gt;")
        if "<xss-probe" in body:
            failures.append(f"{url} ({name}): raw markup")
    assert shown > 0, "the payload was not shown anywhere: the test would prove nothing"
    assert not failures, "\n".join(failures)

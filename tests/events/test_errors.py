"""``error_info_from_exc``: errors as data, with the user's frames and without Headwater's."""

from __future__ import annotations

import os

import headwater as dg
from headwater.events import SerializableErrorInfo, error_info_from_exc

PACKAGE_DIR = os.path.dirname(os.path.abspath(dg.__file__))
THIS_FILE = os.path.basename(__file__)


def caught(fn, *args) -> BaseException:
    try:
        fn(*args)
    except BaseException as e:  # noqa: BLE001 - the test inspects whatever was raised
        return e
    raise AssertionError("nothing was raised")


def user_code_calling_headwater():
    dg.AssetSelection.from_string("group:")  # raises deep inside headwater


def test_framework_frames_are_dropped_and_user_frames_kept():
    info = error_info_from_exc(caught(user_code_calling_headwater))
    frames = "".join(info.stack)
    assert "in user_code_calling_headwater" in frames and THIS_FILE in frames
    assert PACKAGE_DIR + os.sep not in frames
    assert info.cls_name == "InvalidSubsetError" and "'group:'" in info.message


def test_all_frames_are_kept_when_asked():
    info = error_info_from_exc(caught(user_code_calling_headwater), user_frames_only=False)
    assert PACKAGE_DIR + os.sep in "".join(info.stack)


def test_a_pure_framework_error_keeps_its_last_frame():
    error = caught(dg.AssetSelection.from_string, "group:")
    error.__traceback__ = error.__traceback__.tb_next  # drop caught()'s frame: all headwater
    info = error_info_from_exc(error)
    assert len(info.stack) == 1 and PACKAGE_DIR in info.stack[0]


def test_cause_chain_is_recorded_and_serializable():
    def load():
        try:
            {}["id"]
        except KeyError as e:
            raise ValueError("row has no id") from e

    info = error_info_from_exc(caught(load))
    assert info.cls_name == "ValueError" and info.cause.cls_name == "KeyError"
    assert "in load" in "".join(info.cause.stack)
    text = info.to_string()
    assert "direct cause" in text and text.index("KeyError") < text.index("ValueError")
    assert SerializableErrorInfo.from_json(info.to_json()) == info


def test_context_chain_is_recorded():
    def load():
        try:
            {}["id"]
        except KeyError:
            raise ValueError("row has no id")  # noqa: B904 - implicit context on purpose

    info = error_info_from_exc(caught(load))
    assert info.context is not None and info.context.cls_name == "KeyError"


def test_user_code_in_a_sibling_folder_named_like_the_package_is_kept():
    filename = PACKAGE_DIR + "_project" + os.sep + "pipeline.py"
    namespace: dict = {}
    exec(compile("def user_step():\n    raise ValueError('bad input')\n", filename, "exec"),
         namespace)
    info = error_info_from_exc(caught(namespace["user_step"]))
    assert "in user_step" in "".join(info.stack)

"""An autosave that cannot be written is said in the window, not swallowed."""

from __future__ import annotations

from pathlib import Path


def test_an_autosave_that_fails_is_shown(qtbot, window, tmp_path: Path) -> None:
    saver = window.start_autosave(tmp_path)
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a file where the autosave directory should be")
    saver.path = blocker / "autosave.explorer.json"
    window.editor.setPlainText("x = torch.tensor(1.0, requires_grad=True)\n")
    window.editor.document().setModified(True)
    with qtbot.waitSignal(saver.failed, timeout=10_000) as failure:
        saver.save_now()
    assert "Autosave failed" in failure.args[0]
    assert "Autosave failed" in window.status.text()
    assert blocker.read_text().startswith("a file")  # nothing lost, nothing overwritten

# mutant: a failed model call gets status ERROR but no error.type attribute
# replaces: task1-solution
# loses: task1
EDITS = [
    (
        """\
            reply = model.invoke(messages)
        except Exception as exc:
            span.set_attribute("error.type", type(exc).__name__)
""",
        """\
            reply = model.invoke(messages)
        except Exception as exc:
""",
    ),
]

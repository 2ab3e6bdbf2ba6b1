# mutant: a call that raises is not recorded at all
# replaces: task4-solution
# loses: task4
EDITS = [
    (
        """\
    except Exception as exc:
        metrics.record(
            model=model.model_name, duration_s=clock.now() - start, error_type=type(exc).__name__
        )
        raise
""",
        """\
    except Exception:
        raise
""",
    ),
]

"""HTML building blocks shared by the views (model summaries, tensors): table styles and byte sizes."""

TABLE_STYLE = ("border-collapse:collapse;font-family:ui-monospace,monospace;font-size:12px;"
                "margin:2px 0")


CELL_STYLE = "border:1px solid #ccc;padding:2px 8px;"


def readable_bytes(n):
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if n < 1024 or unit == "TB":
            return f"{n:.2f} {unit}"
        n /= 1024
    return f"{n:.2f} TB"

"""Hostile files that once cost the server: generated, so tests and benchmarks share them."""

from __future__ import annotations


def bomb_upload() -> bytes:
    """The reported 108 kB bomb: 4,999 short rows, then one cell of 50,000 'Z's."""
    rows = [f"{i},{2 * i},a" for i in range(4999)] + ["1,2," + "Z" * 50_000]
    return ("x,y,t\n" + "\n".join(rows) + "\n").encode()


def six_long_cells() -> bytes:
    """Six cells of 131,000 characters (just under csv's own field limit) in under 1 MB."""
    cell = "Z" * 131_000
    return ("a,b,c,d,e,f,g\n1," + ",".join([cell] * 6) + "\n2,q,q,q,q,q,q\n").encode()


def densest_numbers() -> bytes:
    """As many numeric cells as 1 MB holds within the row and column limits."""
    return ("\n".join([",".join(f"c{j}" for j in range(99))] + [",".join(["1"] * 99)] * 4990)
            + "\n").encode()  # fmt: skip

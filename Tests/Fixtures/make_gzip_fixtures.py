"""Gzip fixtures for Tests/DatasetsTests/GzipTests.swift, made by Python's gzip and zlib.

Regenerate with:  python3 Tests/Fixtures/make_gzip_fixtures.py
Writes Tests/Fixtures/gzip/*.gz and Tests/Fixtures/gzip/manifest.tsv, one line per file:

    file  length  crc32  fnv1a64  how

with the decompressed length, its CRC-32 (zlib.crc32) and FNV-1a 64 hash (both hex), and how the
file was made. The Swift test checks its decoder's output against length and both hashes: the
CRC-32 alone would be computed by the code under test, FNV-1a is independent of it.

Contents (seeded, so the files only change if zlib's output does):
  empty, one (1 byte), text (pseudo-English), random (incompressible: deflate falls back to
  stored blocks at every level), runs (byte runs of 1–300), big (> 64 KB: two stored blocks at
  level 0, random chunks repeated up to 32 000 bytes back so long distances occur).
Each at gzip.compress levels 0–9. Then zlib strategies Z_FIXED (fixed-Huffman blocks),
Z_HUFFMAN_ONLY and Z_RLE, raw deflate wrapped in a gzip header by `wrap`; memLevel 1 and 3 (a
block every 128 or 512 symbols, so many blocks, fixed and dynamic); a header with FTEXT, FHCRC, FEXTRA, FNAME and
FCOMMENT; two- and three-member concatenations (one member empty).
Every file is checked here with gzip.decompress and zlib (wbits 31, which also checks FHCRC).
"""
import gzip
import os
import random
import struct
import zlib

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "gzip")


def fnv1a64(data: bytes) -> int:
    h = 0xCBF29CE484222325
    for b in data:
        h = ((h ^ b) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


def make_contents() -> dict:
    rng = random.Random(1952)
    words = ("the of and to in is that for it as with was on be by at this from or have an "
             "gradient descent step size epoch batch loss convex smooth strongly momentum "
             "learning rate schedule variance reduced stochastic optimizer iterate").split()
    text_words = []
    while sum(len(w) + 1 for w in text_words) < 2500:
        text_words.append(rng.choice(words))
        if rng.random() < 0.08:
            text_words[-1] += ".\n"
    text = " ".join(text_words).encode()

    random_bytes = rng.randbytes(1000)

    runs = bytearray()
    while len(runs) < 6000:
        runs += bytes([rng.randrange(256)]) * rng.randint(1, 300)
    runs = bytes(runs)

    # Sentences from a small set, with random chunks each repeated once 2 000–32 000 bytes later:
    # zlib only matches within 32 506 bytes (its window minus lookahead), so those are the long
    # distances. Compressible enough that ten levels of it stay small.
    sentences = [" ".join(rng.choice(words) for _ in range(rng.randint(6, 12))).encode() + b".\n"
                 for _ in range(12)]
    big = bytearray()
    pending = []  # (position to repeat at, chunk)
    while len(big) < 66000:
        if pending and len(big) >= pending[0][0]:
            big += pending.pop(0)[1]
        elif rng.random() < 0.03:
            chunk = rng.randbytes(rng.randint(30, 60))
            big += chunk
            pending.append((len(big) + rng.choice([2000, 9000, 20000, 32000]), chunk))
            pending.sort(key=lambda p: p[0])
        else:
            big += rng.choice(sentences)
    big = bytes(big)

    return {"empty": b"", "one": b"x", "text": text, "random": random_bytes, "runs": runs, "big": big}


def wrap(raw: bytes, data: bytes, flags: int = 0, extra: bytes = b"", name: bytes = b"",
         comment: bytes = b"") -> bytes:
    """A gzip member (RFC 1952) around a raw deflate stream."""
    header = bytearray(b"\x1f\x8b\x08" + bytes([flags]) + struct.pack("<I", 1700000000) + b"\x00\x03")
    if flags & 0x04:
        header += struct.pack("<H", len(extra)) + extra
    if flags & 0x08:
        header += name + b"\x00"
    if flags & 0x10:
        header += comment + b"\x00"
    if flags & 0x02:
        header += struct.pack("<H", zlib.crc32(header) & 0xFFFF)
    return bytes(header) + raw + struct.pack("<II", zlib.crc32(data), len(data) & 0xFFFFFFFF)


def raw_deflate(data: bytes, level: int, strategy: int = zlib.Z_DEFAULT_STRATEGY, mem_level: int = 9) -> bytes:
    c = zlib.compressobj(level, zlib.DEFLATED, -15, mem_level, strategy)
    return c.compress(data) + c.flush()


def main() -> None:
    os.makedirs(OUT, exist_ok=True)
    for f in os.listdir(OUT):
        if f.endswith(".gz") or f == "manifest.tsv":
            os.remove(os.path.join(OUT, f))
    contents = make_contents()
    rows = []

    def add(name: str, gz: bytes, data: bytes, how: str) -> None:
        assert gzip.decompress(gz) == data, name
        d = zlib.decompressobj(31)
        out = b""
        rest = gz
        while rest:  # zlib decodes one member per object; it also checks FHCRC
            d = zlib.decompressobj(31)
            out += d.decompress(rest)
            assert d.eof, name
            rest = d.unused_data
        assert out == data, name
        with open(os.path.join(OUT, name + ".gz"), "wb") as f:
            f.write(gz)
        rows.append((name + ".gz", len(data), zlib.crc32(data), fnv1a64(data), how))

    for cname, data in contents.items():
        for level in range(10):
            add(f"{cname}-{level}", gzip.compress(data, compresslevel=level, mtime=0), data,
                f"gzip.compress level {level}")

    strategies = {"fixed": zlib.Z_FIXED, "huffman": zlib.Z_HUFFMAN_ONLY, "rle": zlib.Z_RLE}
    for sname, strategy in strategies.items():
        for cname in ("one", "text", "runs") + (("big",) if sname == "fixed" else ()):
            for level in (1, 9):
                data = contents[cname]
                add(f"{sname}-{cname}-{level}", wrap(raw_deflate(data, level, strategy), data), data,
                    f"zlib level {level} strategy {sname}")

    for cname, mem_level in (("text", 1), ("big", 1), ("big", 3)):
        data = contents[cname]
        add(f"memlevel{mem_level}-{cname}", wrap(raw_deflate(data, 6, mem_level=mem_level), data), data,
            f"zlib level 6 memLevel {mem_level} (a block every {1 << (mem_level + 6)} symbols)")

    text = contents["text"]
    add("header-flags", wrap(raw_deflate(text, 9), text, flags=0x1F, extra=b"AP\x04\x00abcdZZ\x00\x00",
                             name=b"digits.txt", comment=b"FTEXT FHCRC FEXTRA FNAME FCOMMENT"),
        text, "FTEXT FHCRC FEXTRA FNAME FCOMMENT all set")
    runs, big = contents["runs"], contents["big"]
    add("two-members", gzip.compress(text, 6, mtime=0) + gzip.compress(runs, 9, mtime=0), text + runs,
        "text then runs, two members")
    add("three-members", gzip.compress(runs, 1, mtime=0) + gzip.compress(b"", 6, mtime=0)
        + wrap(raw_deflate(big, 6, zlib.Z_FIXED), big), runs + big,
        "runs, an empty member, big with Z_FIXED")

    with open(os.path.join(OUT, "manifest.tsv"), "w") as f:
        f.write("# Written by Tests/Fixtures/make_gzip_fixtures.py. file, decompressed length, "
                "CRC-32, FNV-1a 64, how it was made\n")
        for name, length, crc, fnv, how in rows:
            f.write(f"{name}\t{length}\t{crc:08x}\t{fnv:016x}\t{how}\n")
    total = sum(os.path.getsize(os.path.join(OUT, r[0])) for r in rows)
    print(f"{len(rows)} files, {total} bytes in {OUT}")


if __name__ == "__main__":
    main()

"""A minimal RESP2 client over a plain socket, standing in for an unmodified Redis client.

Usage: resp_client.py PORT COMMAND [ARG...] [-- COMMAND [ARG...]]...
Prints each reply on its own line: +OK, :1, $value, $nil, -ERR ... (bulk strings as $text).
"""
import socket
import sys


def encode(args):
    out = b"*%d\r\n" % len(args)
    for a in args:
        data = a.encode()
        out += b"$%d\r\n%s\r\n" % (len(data), data)
    return out


def read_line(f):
    line = f.readline()
    if not line.endswith(b"\r\n"):
        raise SystemExit("connection closed mid-reply: %r" % line)
    return line[:-2].decode()


def read_reply(f):
    line = read_line(f)
    kind, rest = line[0], line[1:]
    if kind in "+-:":
        return line
    if kind == "$":
        n = int(rest)
        if n < 0:
            return "$nil"
        data = f.read(n + 2)
        return "$" + data[:-2].decode()
    if kind == "*":
        return "*[" + ",".join(read_reply(f) for _ in range(int(rest))) + "]"
    raise SystemExit("unexpected reply line %r" % line)


def main():
    port = int(sys.argv[1])
    commands, current = [], []
    for a in sys.argv[2:]:
        if a == "--":
            commands.append(current)
            current = []
        else:
            current.append(a)
    commands.append(current)
    with socket.create_connection(("127.0.0.1", port), timeout=20) as s:
        f = s.makefile("rb")
        for c in commands:
            s.sendall(encode(c))
            print(read_reply(f), flush=True)


main()

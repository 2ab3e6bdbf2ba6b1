# attack: connects to a listener on 127.0.0.1 (exfiltration, or a helper outside the sandbox)
# kind: cell
import socket

for _host in ("127.0.0.1", "localhost"):
    try:
        with socket.create_connection((_host, int("__PORT__")), timeout=2) as _s:
            _s.sendall(b"hello from the sandbox")
    except OSError:
        pass

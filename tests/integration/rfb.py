# SPDX-License-Identifier: GPL-2.0-or-later
"""rfb - a small RFB (VNC, RFC 6143) client for hemu's tests.

It speaks RFB 3.8 over a socket (TCP, Unix, or a websocket wrapped by
WSSocket), with the None and VNC security types, and VeNCrypt (type 19,
version 0.2, subtypes TLSNone/TLSVnc/X509None/X509Vnc) with the TLS
handshake done by Python's ssl module (the DES step runs through
the openssl command, as Python has no DES of its own), raw encoding plus
the DesktopSize, ExtendedDesktopSize-free QEMU Extended Key Event pseudo-
encodings, key and pointer events, and the framebuffer kept as XRGB
rows so that it can be compared with a screendump.
"""
import base64
import hashlib
import os
import socket
import struct
import subprocess
import threading
import time

ENC_RAW = 0
ENC_DESKTOP_SIZE = -223
ENC_QEMU_EXT_KEY = -258


class RFBError(Exception):
    pass


def des_encrypt(key8, block16):
    """VNC authentication: DES-ECB over the 16-byte challenge with the
    password as key, each key byte bit-reversed."""
    key = bytes(int("{:08b}".format(b)[::-1], 2) for b in key8.ljust(8, b"\0")[:8])
    out = subprocess.run(
        ["openssl", "enc", "-des-ecb", "-nopad", "-K", key.hex(),
         "-provider", "legacy", "-provider", "default"],
        input=block16, capture_output=True, check=True)
    return out.stdout[:16]


class WSSocket:
    """A socket-like object over a websocket connection (RFC 6455 client:
    masked binary frames out, unmasked frames in)."""

    def __init__(self, sock, path="/", protocol="binary", host="localhost"):
        self.s = sock
        key = base64.b64encode(os.urandom(16)).decode()
        req = ("GET %s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\n"
               "Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\n"
               "Sec-WebSocket-Version: 13\r\nOrigin: http://%s\r\n"
               % (path, host, key, host))
        if protocol:
            req += "Sec-WebSocket-Protocol: %s\r\n" % protocol
        self.s.sendall((req + "\r\n").encode())
        resp = b""
        while b"\r\n\r\n" not in resp:
            d = self.s.recv(1)
            if not d:
                raise RFBError("websocket handshake: connection closed")
            resp += d
        head = resp.decode(errors="replace")
        if " 101 " not in head.split("\r\n")[0]:
            raise RFBError("websocket handshake refused: %r" % head)
        want = base64.b64encode(hashlib.sha1(
            (key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").encode()).digest()).decode()
        if want not in head:
            raise RFBError("bad Sec-WebSocket-Accept: %r" % head)
        self.buf = b""

    def sendall(self, data):
        mask = os.urandom(4)
        n = len(data)
        if n < 126:
            hdr = struct.pack("!BB", 0x82, 0x80 | n)
        elif n < 65536:
            hdr = struct.pack("!BBH", 0x82, 0x80 | 126, n)
        else:
            hdr = struct.pack("!BBQ", 0x82, 0x80 | 127, n)
        body = bytes(b ^ mask[i % 4] for i, b in enumerate(data))
        self.s.sendall(hdr + mask + body)

    def _raw(self, n):
        out = b""
        while len(out) < n:
            d = self.s.recv(n - len(out))
            if not d:
                raise RFBError("connection closed")
            out += d
        return out

    def recv(self, n):
        while not self.buf:
            b0, b1 = self._raw(2)
            ln = b1 & 0x7f
            if ln == 126:
                ln = struct.unpack("!H", self._raw(2))[0]
            elif ln == 127:
                ln = struct.unpack("!Q", self._raw(8))[0]
            mask = self._raw(4) if b1 & 0x80 else None
            data = self._raw(ln)
            if mask:
                data = bytes(b ^ mask[i % 4] for i, b in enumerate(data))
            op = b0 & 0x0f
            if op == 8:
                return b""
            if op == 1:      # base64 text frames
                data = base64.b64decode(data)
            if op in (0, 1, 2):
                self.buf += data
        d, self.buf = self.buf[:n], self.buf[n:]
        return d

    def settimeout(self, t):
        self.s.settimeout(t)

    def close(self):
        self.s.close()


SEC_VENCRYPT = 19
VENCRYPT_NONE_SUBTYPES = (257, 260)     # TLSNone, X509None
VENCRYPT_VNC_SUBTYPES = (258, 261)      # TLSVnc, X509Vnc


class RFBClient:
    """tls: an ssl.SSLContext for VeNCrypt (server_hostname its name
    check); without it VeNCrypt is not chosen."""

    def __init__(self, sock, password=None, shared=True, ext_key=True,
                 timeout=10, tls=None, server_hostname=None):
        self.s = sock
        self.s.settimeout(timeout)
        ver = self.read(12)
        if not ver.startswith(b"RFB 003."):
            raise RFBError("not an RFB server: %r" % ver)
        self.s.sendall(b"RFB 003.008\n")
        n = self.read(1)[0]
        if n == 0:
            ln = struct.unpack("!I", self.read(4))[0]
            raise RFBError("refused: %r" % self.read(ln))
        types = list(self.read(n))
        self.security_types = types
        self.vencrypt_subtype = None
        if tls is not None and SEC_VENCRYPT in types:
            self.s.sendall(bytes([SEC_VENCRYPT]))
            inner = self._vencrypt(tls, server_hostname)
        elif 1 in types and password is None:
            self.s.sendall(b"\x01")
            inner = None
        elif 2 in types:
            self.s.sendall(b"\x02")
            inner = 2
        else:
            raise RFBError("no usable security type in %r" % types)
        if inner == 2:
            chal = self.read(16)
            pw = (password or "").encode()
            self.s.sendall(des_encrypt(pw, chal))
        res = struct.unpack("!I", self.read(4))[0]
        if res != 0:
            reason = b""
            try:
                ln = struct.unpack("!I", self.read(4))[0]
                reason = self.read(ln)
            except Exception:
                pass
            raise RFBError("authentication failed: %r" % reason)
        self.s.sendall(b"\x01" if shared else b"\x00")
        self.width, self.height = struct.unpack("!HH", self.read(4))
        self.server_format = self.read(16)
        ln = struct.unpack("!I", self.read(4))[0]
        self.name = self.read(ln).decode(errors="replace")
        # 32 bpp, depth 24, little-endian, true colour, XRGB
        self.s.sendall(struct.pack("!BxxxBBBBHHHBBBxxx", 0, 32, 24, 0, 1,
                                   255, 255, 255, 16, 8, 0))
        encs = [ENC_RAW, ENC_DESKTOP_SIZE]
        if ext_key:
            encs.append(ENC_QEMU_EXT_KEY)
        self.s.sendall(struct.pack("!BxH", 2, len(encs)) +
                       b"".join(struct.pack("!i", e) for e in encs))
        self.fb = bytearray(self.width * self.height * 4)
        self.ext_key = False
        self.updates = 0

    def _vencrypt(self, tls, server_hostname):
        """VeNCrypt 0.2 in clear, then TLS over self.s; the inner
        security type (None or 2 for VNC auth)."""
        major, minor = self.read(2)
        if (major, minor) != (0, 2):
            raise RFBError("VeNCrypt version %d.%d" % (major, minor))
        self.s.sendall(b"\x00\x02")
        if self.read(1) != b"\x00":
            raise RFBError("VeNCrypt version refused")
        n = self.read(1)[0]
        subtypes = list(struct.unpack("!%dI" % n, self.read(4 * n)))
        self.vencrypt_subtypes = subtypes
        pick = [t for t in subtypes
                if t in VENCRYPT_NONE_SUBTYPES + VENCRYPT_VNC_SUBTYPES]
        if not pick:
            raise RFBError("no usable VeNCrypt subtype in %r" % subtypes)
        self.vencrypt_subtype = pick[0]
        self.s.sendall(struct.pack("!I", pick[0]))
        if self.read(1) != b"\x01":
            raise RFBError("VeNCrypt subtype refused")
        timeout = self.s.gettimeout()
        self.s = tls.wrap_socket(self.s, server_hostname=server_hostname)
        self.s.settimeout(timeout)
        return 2 if pick[0] in VENCRYPT_VNC_SUBTYPES else None

    def read(self, n):
        out = b""
        while len(out) < n:
            d = self.s.recv(n - len(out))
            if not d:
                raise RFBError("connection closed")
            out += d
        return out

    def request(self, incremental=False):
        self.s.sendall(struct.pack("!BBHHHH", 3, 1 if incremental else 0, 0, 0,
                                   self.width, self.height))

    def read_message(self):
        t = self.read(1)[0]
        if t == 0:
            _, n = struct.unpack("!BH", self.read(3))
            pixels = False
            for _ in range(n):
                x, y, w, h, enc = struct.unpack("!HHHHi", self.read(12))
                if enc == ENC_RAW:
                    pixels = True
                    data = self.read(w * h * 4)
                    for row in range(h):
                        o = ((y + row) * self.width + x) * 4
                        self.fb[o:o + w * 4] = data[row * w * 4:(row + 1) * w * 4]
                elif enc == ENC_DESKTOP_SIZE:
                    pixels = True
                    self.width, self.height = w, h
                    self.fb = bytearray(w * h * 4)
                elif enc == ENC_QEMU_EXT_KEY:
                    self.ext_key = True
                else:
                    raise RFBError("unexpected encoding %d" % enc)
            if not pixels:
                return "pseudo"     # e.g. the Extended Key Event ack
            self.updates += 1
            return "update"
        if t == 1:
            _, first, n = struct.unpack("!BHH", self.read(5))
            self.read(6 * n)
            return "colormap"
        if t == 2:
            return "bell"
        if t == 3:
            ln = struct.unpack("!xxxI", self.read(7))[0]
            self.read(ln)
            return "cuttext"
        raise RFBError("unknown server message %d" % t)

    def refresh(self, incremental=False, timeout=10):
        """Request an update and read until one arrives."""
        self.request(incremental)
        end = time.time() + timeout
        while time.time() < end:
            if self.read_message() == "update":
                return
        raise RFBError("no framebuffer update")

    def key(self, keysym, down):
        self.s.sendall(struct.pack("!BBxxI", 4, 1 if down else 0, keysym))

    def ext_key_event(self, keycode, down, keysym=0):
        self.s.sendall(struct.pack("!BBHII", 255, 0, 1 if down else 0,
                                   keysym, keycode))

    def pointer(self, x, y, mask=0):
        self.s.sendall(struct.pack("!BBHH", 5, mask, x, y))

    def type_text(self, text, delay=0.01):
        """Type text as keysyms, pressing Shift for the US layout's
        shifted characters."""
        shifted = '~!@#$%^&*()_+{}|:"<>?ABCDEFGHIJKLMNOPQRSTUVWXYZ'
        for ch in text:
            sym = 0xff0d if ch == "\n" else ord(ch)
            sh = ch in shifted
            if sh:
                self.key(0xffe1, True)
            self.key(sym, True)
            self.key(sym, False)
            if sh:
                self.key(0xffe1, False)
            time.sleep(delay)

    def pixels_rgb(self):
        """The framebuffer as packed RGB bytes (PPM order)."""
        out = bytearray(self.width * self.height * 3)
        fb = self.fb
        out[0::3] = fb[2::4]
        out[1::3] = fb[1::4]
        out[2::3] = fb[0::4]
        return bytes(out)

    def close(self):
        self.s.close()


def read_ppm(path):
    """(width, height, rgb bytes) of a binary PPM."""
    with open(path, "rb") as f:
        data = f.read()
    fields, pos = [], 0
    while len(fields) < 4:
        while data[pos:pos + 1].isspace():
            pos += 1
        start = pos
        while not data[pos:pos + 1].isspace():
            pos += 1
        fields.append(data[start:pos])
    pos += 1    # exactly one whitespace byte before the raster
    if fields[0] != b"P6":
        raise RFBError("not a P6 PPM")
    w, h, mx = int(fields[1]), int(fields[2]), int(fields[3])
    if mx != 255:
        raise RFBError("maxval %d" % mx)
    return w, h, data[pos:pos + w * h * 3]


def read_png(path):
    """(width, height, rgb bytes) of an 8-bit RGB or RGBA PNG, as
    gvnccapture writes them."""
    import zlib
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise RFBError("not a PNG")
    pos, idat = 8, b""
    while pos < len(data):
        n, kind = struct.unpack("!I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h, depth, ctype, _, _, interlace = struct.unpack("!IIBBBBB", chunk)
            if depth != 8 or ctype not in (2, 6) or interlace:
                raise RFBError("unsupported PNG layout")
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + n
    bpp = 3 if ctype == 2 else 4
    raw = zlib.decompress(idat)
    stride = w * bpp
    out = bytearray()
    prev = bytearray(stride)
    for y in range(h):
        ft = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if ft == 1:
                line[i] = (line[i] + a) & 0xff
            elif ft == 2:
                line[i] = (line[i] + b) & 0xff
            elif ft == 3:
                line[i] = (line[i] + ((a + b) >> 1)) & 0xff
            elif ft == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pr = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[i] = (line[i] + pr) & 0xff
        prev = line
        if bpp == 3:
            out += line
        else:
            rgb = bytearray(w * 3)
            rgb[0::3] = line[0::4]
            rgb[1::3] = line[1::4]
            rgb[2::3] = line[2::4]
            out += rgb
    return w, h, bytes(out)


# ---- helpers shared by the VNC tests ----

def free_display():
    """A VNC display number whose port (5900+N) is free on 127.0.0.1."""
    for d in range(50, 99):
        s = socket.socket()
        try:
            s.bind(("127.0.0.1", 5900 + d))
            return d
        except OSError:
            pass
        finally:
            s.close()
    raise RFBError("no free VNC display")


def screendump(q, td, name="sd.ppm"):
    q.cmd("screendump", {"filename": td(name)})
    return read_ppm(td(name))


def matches_dump(q, td, get_pixels):
    """get_pixels() equals a screendump taken while it ran (or just
    before or after): screendumps are taken over and over until it
    returns, so a text cursor blinking during a slow client still leaves
    the client's moment among them."""
    for _ in range(6):
        seen = [screendump(q, td, "a.ppm")]
        result = {}

        def run():
            try:
                result["got"] = get_pixels()
            except BaseException as e:  # re-raised below
                result["error"] = e
        t = threading.Thread(target=run)
        t.start()
        while t.is_alive():
            d = screendump(q, td, "b.ppm")
            if d not in seen:
                seen.append(d)
            time.sleep(0.02)
        t.join()
        d = screendump(q, td, "b.ppm")
        if d not in seen:
            seen.append(d)
        if "error" in result:
            raise result["error"]
        if result["got"] in seen:
            return True
    return False




def keyecho(td):
    """Assemble tests/guest/vnc/keyecho.asm into td; the image's path."""
    guest_dir = os.path.join(os.path.dirname(os.path.dirname(
        os.path.abspath(__file__))), "guest")
    image = td("keyecho.bin")
    r = subprocess.run(["nasm", "-I", guest_dir + "/", "-f", "bin", "-o", image,
                        os.path.join(guest_dir, "vnc", "keyecho.asm")],
                       capture_output=True)
    if r.returncode != 0:
        raise RFBError("nasm: %s" % r.stderr.decode())
    return image


# ---- reading Tight / ZRLE updates without decoding them ----

ENC_TIGHT = 7
ENC_ZRLE = 16


def _compact_len(read):
    n = 0
    for shift in (0, 7, 14):
        b = read(1)[0]
        n |= (b & 0x7f) << shift
        if not b & 0x80:
            break
    return n


def _skip_tight(read, w, h):
    """One Tight rectangle's data (a 32bpp depth-24 client: 3-byte
    TPIXELs); its compression kind: 'fill', 'jpeg' or 'basic'."""
    ctl = read(1)[0]
    kind = ctl >> 4
    if kind == 8:
        read(3)
        return "fill"
    if kind == 9:
        read(_compact_len(read))
        return "jpeg"
    if kind > 9:
        raise RFBError("bad Tight control byte 0x%02x" % ctl)
    filt = read(1)[0] if ctl & 0x40 else 0
    size = w * h * 3
    if filt == 1:
        ncol = read(1)[0] + 1
        read(ncol * 3)
        size = ((w + 7) // 8) * h if ncol <= 2 else w * h
    if size < 12:
        read(size)
    else:
        read(_compact_len(read))
    return "basic"


def read_encoded_update(c):
    """The next FramebufferUpdate from RFBClient c in Raw, Tight or ZRLE,
    skipped, not decoded: (bytes it took, [kind of each rectangle]).
    Other server messages before it are skipped too."""
    count = [0]

    def read(n):
        count[0] += n
        return c.read(n)
    while True:
        t = read(1)[0]
        if t == 0:
            break
        if t == 2:
            continue
        if t == 3:
            read(struct.unpack("!xxxI", read(7))[0])
            continue
        raise RFBError("unexpected server message %d" % t)
    n = struct.unpack("!xH", read(3))[0]
    kinds = []
    for _ in range(n):
        x, y, w, h, enc = struct.unpack("!HHHHi", read(12))
        if enc == ENC_TIGHT:
            kinds.append(_skip_tight(read, w, h))
        elif enc == ENC_ZRLE:
            read(struct.unpack("!I", read(4))[0])
            kinds.append("zrle")
        elif enc == ENC_RAW:
            read(w * h * 4)
            kinds.append("raw")
        elif enc in (ENC_DESKTOP_SIZE, ENC_QEMU_EXT_KEY):
            kinds.append("pseudo")
        else:
            raise RFBError("encoding %d" % enc)
    return count[0], kinds

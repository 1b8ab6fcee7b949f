#!/usr/bin/env python3
"""The MSCHAPv2 password change of the interop tests' FreeRADIUS (RFC 2759 §7), and the
credentials file it changes.

FreeRADIUS 3.2.1 (Debian 12) cannot change a password itself: rlm_mschap's local_cpw
sets the RC4 key length before choosing the cipher, which OpenSSL 3 answers with a
segfault (fixed upstream after 3.2.1: "mschapv2: set key length after specifying the
cipher"). Nor does a SIGHUP make rlm_files read its users file again there. So the users
whose password can change live in a file of their own, read on every request, one line
per user: `USER<TAB>0x<NT hash><TAB>[<SMB account flags>]`. The inner tunnel's authorize
section looks the user up here (NT-Password, SMB-Account-CTRL-TEXT); its `Auth-Type
MSCHAP` runs `change` on a Change-Password (the MS-CHAP2-CPW and MS-CHAP-NT-Enc-PW
attributes rlm_eap_mschapv2 makes of it), then hands the NT-Response it carries to
rlm_mschap as an ordinary MS-CHAP2-Response, checked against the new NT hash:
FreeRADIUS, not this script, judges the NT-Response and sends the authenticator response
and the MS-MPPE keys. The primitives are OpenSSL's (its legacy provider: MD4, RC4, DES),
not the crate's.

    passchange.py add FILE USER PASSWORD FLAGS
        Appends USER with PASSWORD's NT hash and FLAGS (e.g. "[Ue]": a normal account
        whose password has expired).
    passchange.py lookup FILE USER
        Prints "0x<NT hash> <flags>" for USER (nothing for another user).
    passchange.py change FILE USER CPW ENC1 ENC2 ENC3
        Decrypts the new password (Encrypted-Password, the three MS-CHAP-NT-Enc-PW
        chunks) under USER's NT hash, checks Encrypted-Hash (the old hash DES-encrypted
        under the new one), stores the new hash with the expiry cleared ("[U]"), prints
        it. Exits 1 (no output) on any mismatch.
    passchange.py response CPW
        Prints the MS-CHAP2-Response the Change-Password carries: Ident, Flags 0,
        Peer-Challenge, Reserved, NT-Response.
Values are FreeRADIUS's octets form, 0x<hex>.
"""
import os
import subprocess
import sys


def openssl(args, data):
    cmd = ["openssl"] + args + ["-provider", "legacy", "-provider", "default"]
    return subprocess.run(cmd, input=data, capture_output=True, check=True).stdout


def md4(data):
    return openssl(["dgst", "-md4", "-binary"], data)


def rc4(key, data):
    return openssl(["enc", "-rc4", "-K", key.hex()], data)


def des(key7, block):
    # RFC 2759 §8.6: the 56 key bits seven at a time into the high bits of 8 octets
    # (DES ignores the parity bit).
    bits = int.from_bytes(key7, "big")
    key = bytes(((bits >> (49 - 7 * i)) & 0x7F) << 1 for i in range(8))
    return openssl(["enc", "-des-ecb", "-nopad", "-K", key.hex()], block)


def octets(text):
    if not text.startswith("0x"):
        sys.exit(1)
    return bytes.fromhex(text[2:])


def read(path):
    entries = []
    for line in open(path, encoding="utf-8"):
        user, nt, flags = line.rstrip("\n").split("\t")
        entries.append([user, nt, flags])
    return entries


def write(path, entries):
    with open(path + ".new", "w", encoding="utf-8") as f:
        f.writelines("\t".join(e) + "\n" for e in entries)
    os.replace(path + ".new", path)


def entry(entries, user):
    for e in entries:
        if e[0] == user:
            return e
    sys.exit(1)


def change(path, user, cpw, chunks):
    cpw = octets(cpw)
    parts = sorted((octets(c) for c in chunks), key=lambda c: c[3])
    blob = b"".join(p[4:] for p in parts)
    if len(cpw) != 68 or cpw[0] != 7 or len(blob) != 516:
        sys.exit(1)
    entries = read(path)
    e = entry(entries, user)
    old = octets(e[1])
    clear = rc4(old, blob)
    n = int.from_bytes(clear[512:516], "little")
    if n > 512 or n % 2:
        sys.exit(1)
    new = md4(clear[512 - n:512])
    if des(new[:7], old[:8]) + des(new[7:14], old[8:]) != cpw[2:18]:
        sys.exit(1)
    e[1], e[2] = "0x" + new.hex(), e[2].replace("e", "")
    write(path, entries)
    print(e[1])


def response(cpw):
    cpw = octets(cpw)
    if len(cpw) != 68:
        sys.exit(1)
    print("0x" + (bytes([cpw[1], 0]) + cpw[18:66]).hex())


args = sys.argv[1:]
if args[:1] == ["add"] and len(args) == 5:
    entries = read(args[1]) if os.path.exists(args[1]) else []
    entries.append([args[2], "0x" + md4(args[3].encode("utf-16-le")).hex(), args[4]])
    write(args[1], entries)
elif args[:1] == ["lookup"] and len(args) == 3:
    for user, nt, flags in read(args[1]):
        if user == args[2]:
            print(nt, flags)
elif args[:1] == ["change"] and len(args) == 7:
    change(args[1], args[2], args[3], args[4:7])
elif args[:1] == ["response"] and len(args) == 2:
    response(args[1])
else:
    sys.exit(2)

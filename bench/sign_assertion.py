#!/usr/bin/python3
"""Prints a JWT bearer assertion (RS256) signed beforehand, for curl's side of the
end-to-end comparison:  sign_assertion.py KEY CLIENT_ID USERNAME AUDIENCE"""
import sys, time
import jwt  # python3-jwt

key, iss, sub, aud = sys.argv[1:5]
now = int(time.time())
print(jwt.encode({"iss": iss, "sub": sub, "aud": aud, "exp": now + 170},
                 open(key, "rb").read(), algorithm="RS256"))

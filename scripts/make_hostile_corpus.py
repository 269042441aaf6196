"""Writes the hostile-input corpus in tests/hostile/ (committed; see tests/test_hostile_inputs.py for what each
prefix promises). Re-run after adding a case: `python scripts/make_hostile_corpus.py`. Huge, special and
missing files are made at test time instead."""

import copy
import json
import pathlib

out = pathlib.Path(__file__).resolve().parent.parent / "tests" / "hostile"
out.mkdir(exist_ok=True)
for old in out.glob("*.json"):
    old.unlink()

BASE = {"Version": "2012-10-17", "Statement": [{
    "Sid": "AllowTrusted", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
    "Resource": "arn:aws:s3:::example-bucket/*",
    "Condition": {"StringEquals": {"aws:PrincipalAccount": ["111122223333"]}}}]}
PAYLOAD = ("\x1b]2;PWNED\x1b\\" "\x1b]52;c;ZWNobyBwd25lZA==\x07" "\x1b[2J\x1b[H" "\x9b31m" "\u202eevil\u202c"
           "[link=https://evil.example]click[/link][/][bold red]x" "\u2028" "\x00" "\x7f")



def base():
    return copy.deepcopy(BASE)



def stmt(**changes):
    doc = base()
    s = doc["Statement"][0]
    for k, v in changes.items():
        if v is None:
            s.pop(k, None)
        else:
            s[k] = v
    return doc



def write(name, content):
    path = out / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif isinstance(content, str):
        path.write_text(content, encoding="utf-8", newline="")
    else:
        path.write_text(json.dumps(content, indent=2) + "\n", encoding="utf-8")



P = json.dumps(base(), indent=2)
S = '"Sid":"A","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"'

# --- not a policy at all: validate exits 2 ---------------------------------------------------------
write("notpolicy-empty.json", "")
write("notpolicy-whitespace.json", " \r\n\t \n")
write("notpolicy-null.json", "null\n")
write("notpolicy-array.json", "[]\n")
write("notpolicy-string.json", '"Statement"\n')
write("notpolicy-number.json", "42\n")
write("notpolicy-true.json", "true\n")
write("notpolicy-yaml.json", "Version: 2012-10-17\nStatement:\n  - Effect: Allow\n")
write("notpolicy-truncated.json", P[: len(P) // 2])
write("notpolicy-trailing-garbage.json", P + "\n}{\n")
write("notpolicy-single-quotes.json", "{'Statement': []}\n")
write("notpolicy-comment.json", "// a comment\n" + P)
write("notpolicy-trailing-comma.json", '{"Statement": [{' + S + '},]}\n')
write("notpolicy-deep-array-20k.json", "[" * 20_000 + "]" * 20_000)
write("notpolicy-deep-object-10k.json", '{"a":' * 10_000 + "1" + "}" * 10_000)
write("notpolicy-deep-unclosed.json", '{"Statement":' + "[" * 50_000)
write("notpolicy-deep-condition-values.json", '{"Statement":[{' + S + ',"Condition":{"StringEquals":{"aws:PrincipalAccount":[[["111122223333"]]]}}}]}')
write("notpolicy-deep-in-unterminated-string.json", '{"Sid":"' + "[" * 50_000)
write("notpolicy-latin1.json", ('{"Statement":[{' + S.replace('"A"', '"caf\xe9"') + "}]}").encode("latin-1"))
write("notpolicy-utf16-bom.json", P.encode("utf-16"))
write("notpolicy-invalid-utf8-in-string.json", b'{"Statement":[{"Sid":"\xff\xfe\xc0\xaf"}]}')
write("notpolicy-raw-esc-in-string.json", '{"Statement":[{' + S.replace('"A"', '"\x1b]2;PWNED\x07"') + "}]}")
write("notpolicy-raw-esc-outside-string.json", "\x1b[2J\x1b]2;PWNED\x07" + P)
write("notpolicy-nul-bytes.json", b"\x00" * 1024)
write("notpolicy-binary.json", bytes(range(256)) * 8)
write("notpolicy-lone-surrogate-utf8-bytes.json", b'{"Sid":"\xed\xa0\x80"}')
write("notpolicy-bom-then-array.json", b"\xef\xbb\xbf[]")
write("notpolicy-double-bom.json", b"\xef\xbb\xbf\xef\xbb\xbf" + P.encode())
write("notpolicy-nan-bare.json", "NaN\n")

# --- policies that break the grammar: validate exits 1 -------------------------------------------
write("invalid-int-4301-digits.json", '{"Version":"2012-10-17","Statement":[{' + S + ',"Condition":{"NumericLessThan":{"s3:max-keys":' + "9" * 4301 + "}}}]}")
write("invalid-int-negative-5000-digits.json", '{"Version":"2012-10-17","Statement":[{' + S + ',"Condition":{"NumericGreaterThan":{"s3:max-keys":-' + "1" * 5000 + "}}}]}")
write("invalid-nan.json", '{"Version":"2012-10-17","Statement":[{' + S + ',"Condition":{"NumericLessThan":{"s3:max-keys":NaN}}}]}')
write("invalid-infinity.json", '{"Version":"2012-10-17","Statement":[{' + S + ',"Condition":{"NumericLessThan":{"s3:max-keys":Infinity}}}]}')
write("invalid-negative-infinity.json", '{"Version":"2012-10-17","Statement":[{' + S + ',"Condition":{"NumericLessThan":{"s3:max-keys":[-Infinity]}}}]}')
write("invalid-1e999.json", '{"Version":"2012-10-17","Statement":[{' + S + ',"Condition":{"NumericLessThan":{"s3:max-keys":1e999}}}]}')
write("invalid-nan-as-sid.json", '{"Version":"2012-10-17","Statement":[{"Sid":NaN,"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}')
write("invalid-duplicate-effect-deny-then-allow.json",
      '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"*","Resource":"*","Effect":"Allow"}]}')
write("invalid-duplicate-statement.json",
      '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"*","Resource":"*"}],'
      '"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}')
write("invalid-duplicate-version.json", '{"Version":"2008-10-17","Version":"2012-10-17","Statement":[{' + S + "}]}")
write("invalid-duplicate-condition-operator.json",
      '{"Version":"2012-10-17","Statement":[{' + S + ',"Condition":{"StringEquals":{"aws:PrincipalAccount":"111122223333"},'
      '"StringEquals":{"aws:PrincipalAccount":"444455556666"}}}]}')
write("invalid-duplicate-condition-key.json",
      '{"Version":"2012-10-17","Statement":[{' + S + ',"Condition":{"StringEquals":{"aws:PrincipalAccount":"111122223333",'
      '"aws:PrincipalAccount":"444455556666"}}}]}')
write("invalid-duplicate-principal-aws.json",
      '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"111122223333","AWS":"*"},"Action":"*","Resource":"*"}]}')
write("invalid-duplicate-key-many-levels.json",
      '{"Version":"2012-10-17","Version":"2012-10-17","Statement":{"Sid":"A","Sid":"B","Effect":"Allow","Principal":"*",'
      '"Action":"*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"true","aws:SecureTransport":"false"}}}}')
write("invalid-lone-surrogate-sid.json", '{"Version":"2012-10-17","Statement":[{' + S.replace('"A"', '"\\ud800"') + "}]}")
write("invalid-lone-surrogate-condition-key.json",
      '{"Version":"2012-10-17","Statement":[{' + S + ',"Condition":{"StringEquals":{"aws:PrincipalTag/\\udfff":"x"}}}]}')
write("invalid-lone-surrogate-resource.json", '{"Version":"2012-10-17","Statement":[{' + S.replace('"Resource":"*"', '"Resource":"arn:aws:s3:::b/\\ud83d"') + "}]}")
write("invalid-sid-list.json", stmt(Sid=["a"]))
write("invalid-sid-int.json", stmt(Sid=1))
write("invalid-sid-object.json", stmt(Sid={"a": "b"}))
write("invalid-sid-duplicate-lists.json", {"Version": "2012-10-17", "Statement": [stmt(Sid=["a"])["Statement"][0]] * 2})
write("invalid-statement-number.json", {"Version": "2012-10-17", "Statement": 5})
write("invalid-statement-null.json", {"Version": "2012-10-17", "Statement": None})
write("invalid-statement-empty-list.json", {"Version": "2012-10-17", "Statement": []})
write("invalid-statement-list-of-scalars.json", {"Version": "2012-10-17", "Statement": [1, "x", None, True, [], [{"Effect": "Allow"}]]})
write("invalid-statement-missing.json", {"Version": "2012-10-17"})
write("invalid-condition-empty-list.json", stmt(Condition=[]))
write("invalid-condition-string.json", stmt(Condition="aws:PrincipalAccount=111122223333"))
write("invalid-condition-null.json", stmt(Condition=None) | {"Statement": [stmt()["Statement"][0] | {"Condition": None}]})
write("invalid-condition-block-list.json", stmt(Condition={"StringEquals": [1, 2]}))
write("invalid-condition-block-string.json", stmt(Condition={"StringEquals": "aws:PrincipalAccount"}))
write("invalid-condition-values-object.json", stmt(Condition={"StringEquals": {"aws:PrincipalAccount": {"a": "111122223333"}}}))
write("invalid-condition-values-null.json", stmt(Condition={"StringEquals": {"aws:PrincipalAccount": None}}))
write("invalid-effect-list.json", stmt(Effect=["Allow"]))
write("invalid-action-object.json", stmt(Action={"s3": "GetObject"}))
write("invalid-principal-list.json", stmt(Principal=["*"]))
write("invalid-principal-aws-int.json", stmt(Principal={"AWS": 111122223333}))
write("invalid-cyrillic-condition-key.json", stmt(Condition={"StringEquals": {"aws:Principal\u0410ccount": "111122223333"}}))
write("invalid-kelvin-sign-operator.json", stmt(Condition={"StringLi\u212ae": {"aws:PrincipalArn": "arn:aws:iam::111122223333:role/*"}}))
write("invalid-fullwidth-operator.json", stmt(Condition={"\uff33tringEquals": {"aws:PrincipalAccount": "111122223333"}}))
write("invalid-fullwidth-account-value.json", stmt(Condition={"StringEquals": {"aws:PrincipalAccount": "\uff11" * 12}}))
write("invalid-arabic-digits-account-value.json", stmt(Condition={"StringEquals": {"aws:PrincipalAccount": "\u0661" * 12}}))
write("invalid-action-without-colon.json", stmt(Action="s3GetObject"))
write("invalid-action-list-mixed.json", stmt(Action=["s3:GetObject", "s3 PutObject", "", "s3:"]))
write("invalid-notaction-bad.json", stmt(Action=None, NotAction="GetObject"))
write("invalid-action-non-ascii.json", stmt(Action="s3:G\u0435tObject"))
write("invalid-resource-bucket-path.json", stmt(Resource="my-bucket/*"))
write("invalid-resource-list-mixed.json", stmt(Resource=["arn:aws:s3:::ok-bucket", "s3://bucket/key", "arn:aws:s3"]))
write("invalid-notresource-bad.json", stmt(Resource=None, NotResource="bucket"))
write("invalid-huge-sid-30k.json", stmt(Sid="A" * 30_000))
write("invalid-many-accounts-over-limit.json", stmt(Condition={"StringEquals": {"aws:PrincipalAccount": [f"{i:012d}" for i in range(2000)]}}))
write("invalid-unknown-elements.json", {"Version": "2012-10-17", "Extra": 1, "Statement": [stmt()["Statement"][0] | {"Foo": "bar"}]})

# --- valid text forms: validate exits 0 ------------------------------------------------------------
write("valid-base.json", base())
write("valid-bom.json", b"\xef\xbb\xbf" + P.encode())
write("valid-crlf.json", P.replace("\n", "\r\n"))
write("valid-bom-crlf.json", b"\xef\xbb\xbf" + P.replace("\n", "\r\n").encode())
write("valid-brackets-in-strings.json", stmt(Sid="Deep", Resource="arn:aws:s3:::example-bucket/" + "[{" * 2000 + "*"))
write("valid-unicode-tag-key.json", stmt(Condition={"StringEquals": {"aws:PrincipalAccount": "111122223333", "aws:ResourceTag/\u90e8\u7f72": "\u7d4c\u7406"}}))
write("valid-emoji-resource.json", stmt(Resource="arn:aws:s3:::example-bucket/\U0001f600/*"))
write("valid-escaped-unicode.json", json.dumps(stmt(Resource="arn:aws:s3:::example-bucket/\u00e9t\u00e9/*"), ensure_ascii=True))
write("valid-tabs-and-spaces.json", json.dumps(base(), indent="\t\t\t\t"))
write("valid-single-statement-object.json", {"Version": "2012-10-17", "Statement": base()["Statement"][0]})
write("valid-wildcard-backtracking.json", stmt(Resource="arn:aws:s3:::" + "*e" * 40 + "*x"))
write("valid-many-statements.json", {"Version": "2012-10-17", "Statement": [
    {"Effect": "Deny", "Principal": "*", "Action": f"s3:Get{i}", "Resource": "*"} for i in range(250)]})

# --- escapes and markup in every string position (validate exits 0 or 1) --------------------------
positions = {
    "sid": lambda p: stmt(Sid=p),
    "effect": lambda p: stmt(Effect=p),
    "principal": lambda p: stmt(Principal=p),
    "principal-aws": lambda p: stmt(Principal={"AWS": [p]}),
    "action": lambda p: stmt(Action=["s3:GetObject" + p]),
    "notaction": lambda p: stmt(Action=None, NotAction=p),
    "resource": lambda p: stmt(Resource="arn:aws:s3:::example-bucket/" + p),
    "notresource": lambda p: stmt(Resource=None, NotResource=[p]),
    "operator": lambda p: stmt(Condition={"StringEquals" + p: {"aws:PrincipalAccount": "111122223333"}}),
    "condition-key": lambda p: stmt(Condition={"StringEquals": {"aws:ResourceTag/" + p: "x", "aws:PrincipalAccount": "111122223333"}}),
    "condition-value": lambda p: stmt(Condition={"StringEquals": {"aws:PrincipalArn": p, "aws:PrincipalAccount": "111122223333"}}),
    "wildcard-value": lambda p: stmt(Condition={"StringLike": {"aws:PrincipalArn": "*" + p}}),
    "version": lambda p: base() | {"Version": p},
    "id": lambda p: base() | {"Id": p},
    "top-level-key": lambda p: base() | {p: "x"},
    "statement-key": lambda p: stmt(**{p: "x"}),
}
for position, make in positions.items():
    write(f"escape-{position}.json", make(PAYLOAD))
write("escape-raw-utf8-bidi-and-c1.json", json.dumps(stmt(Sid="\u202e\u2066x\u0085\u009b", Resource="arn:aws:s3:::b/\u202e"), ensure_ascii=False))

# --- answers files (for --answers) ------------------------------------------------------------------
ANS = {"format": 1, "services": ["s3"], "accounts": ["111122223333"], "region": "eu-west-1"}
write("answers-valid.json", ANS)
write("answers-valid-bom-crlf.json", b"\xef\xbb\xbf" + json.dumps(ANS, indent=2).replace("\n", "\r\n").encode())
write("answers-fullwidth-account.json", ANS | {"accounts": ["\uff11\uff11\uff11\uff11\uff12\uff12\uff12\uff12\uff13\uff13\uff13\uff13"]})
write("answers-arabic-digits-account.json", ANS | {"accounts": ["\u0661" * 12]})
write("answers-escape-in-values.json", ANS | {"services": [PAYLOAD], "region": PAYLOAD})
write("answers-escape-in-key.json", ANS | {PAYLOAD: ["x"]})
write("answers-duplicate-accounts-key.json", '{"services":["s3"],"accounts":["111122223333"],"accounts":[],"region":"eu-west-1"}')
write("answers-nan.json", '{"services":["s3"],"accounts":["111122223333"],"region":"eu-west-1","format":NaN}')
write("answers-deep.json", '{"services":[["s3"]],"accounts":["111122223333"],"region":"eu-west-1"}')
write("answers-wrong-types.json", {"services": "s3", "accounts": [1], "region": 5, "resource_perimeter": "yes"})
write("answers-fullwidth-org.json", ANS | {"accounts": [], "org_ids": ["\uff4f-abcdefghij"]})

# --- backup files (for rollback --backup and the backups folder) ------------------------------------
REC = {"format": 1, "endpoint_id": "vpce-0123456789abcdef0", "region": "eu-west-1", "account": "123456789012",
       "time": "2026-01-01T00:00:00.000000Z", "action": "apply", "old": base(), "new": base()}
write("backup-valid.json", REC)
write("backup-escape-in-fields.json", REC | {"region": PAYLOAD, "action": PAYLOAD, "time": "2099" + PAYLOAD})
write("backup-escape-in-endpoint.json", REC | {"endpoint_id": "vpce-0123456789abcdef0" + PAYLOAD})
write("backup-old-duplicate-effect.json", json.dumps(REC)[:-1].replace(
    '"old": {', '"old": {"Statement":[{"Effect":"Deny","Principal":"*","Action":"*","Resource":"*","Effect":"Allow"}],', 1) + "}")
write("backup-old-not-object.json", REC | {"old": "Allow * * *"})
write("backup-old-too-deep.json", '{"endpoint_id":"vpce-0123456789abcdef0","region":"eu-west-1","account":"123456789012",'
      '"time":"2026-01-01T00:00:00Z","old":' + "[" * 5000 + "]" * 5000 + ',"new":null}')
write("backup-fields-wrong-types.json", REC | {"account": 123456789012, "time": None})
write("backup-missing-fields.json", {"endpoint_id": "vpce-0123456789abcdef0"})
write("backup-planted-2099-full-access.json", REC | {"time": "2099-01-01T00:00:00Z", "old": {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]}})
print(f"{len(list(out.glob('*.json')))} files in {out}")

"""English and Japanese: language resolution, a complete Japanese catalog, and the CLI speaking it."""

import json
import re
import string
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

import tui
from tui.cli import main
from tui.report.i18n import cell_width, language_from_environment, language_option, pad, resolve_language, wrap

PACKAGE = Path(tui.__file__).parent
REPOSITORY = PACKAGE.parent
CATALOG = PACKAGE / "locale" / "ja" / "LC_MESSAGES" / "vpce_wizard.po"
PERCENT_FIELD = re.compile(r"%(?:\(\w+\))?[sdr]")


def code_messages() -> set[str]:
    """Every msgid in `_()`, `N_()` and `ngettext()` calls under tui/ and in the data files `babel.cfg` names
    (Babel's own extractor, configured as `pybabel extract -F babel.cfg` is)."""
    messages = set()
    with (REPOSITORY / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)
    for _file, _line, message, _comments, _context in extract_from_dir(str(REPOSITORY), method_map, options_map):
        messages.update(message if isinstance(message, tuple) else (message,))
    return {message for message in messages if message}


def japanese_catalog():
    with CATALOG.open("rb") as po:
        return read_po(po, locale="ja")


def fields(text: str) -> list[str]:
    """The placeholders of a message: `{name}` fields and argparse's `%(name)s` / `%s`."""
    braces = [name for _, name, _, _ in string.Formatter().parse(text) if name is not None]
    return sorted(braces + PERCENT_FIELD.findall(text))


@pytest.mark.parametrize(("environ", "expected"), [
    ({"LANG": "ja_JP.UTF-8"}, "ja"),
    ({"LANG": "ja"}, "ja"),
    ({"LC_MESSAGES": "ja_JP.eucJP", "LANG": "en_US.UTF-8"}, "ja"),
    ({"LC_ALL": "C.UTF-8", "LC_MESSAGES": "ja_JP.UTF-8"}, "en"),
    ({"LC_ALL": "", "LANG": "ja_JP.UTF-8"}, "ja"),
    ({"LANG": "jam_JM"}, "en"),
    ({"LANG": "fr_FR.UTF-8"}, "en"),
    ({}, "en"),
])
def test_language_follows_the_locale_environment_in_posix_order(environ, expected):
    assert language_from_environment(environ) == expected


def test_the_lang_option_wins_over_the_environment():
    assert resolve_language("en", {"LANG": "ja_JP.UTF-8"}) == "en"
    assert resolve_language("ja", {"LANG": "C"}) == "ja"
    assert resolve_language(None, {"LANG": "ja_JP.UTF-8"}) == "ja"
    assert language_option(["validate", "p.json", "--lang", "ja"]) == "ja"
    assert language_option(["--lang=en", "validate"]) == "en"
    assert language_option(["validate", "--", "--lang", "ja"]) is None


def test_every_message_in_the_code_has_a_reviewed_japanese_translation_with_the_same_placeholders():
    catalog = japanese_catalog()
    missing, mismatched = [], []
    for message in sorted(code_messages()):
        entry = catalog.get(message)
        translated = entry.string if entry is not None else ""
        translated = translated[0] if isinstance(translated, tuple) else translated
        if not translated or entry.fuzzy:
            missing.append(message)
        elif fields(message) != fields(translated):
            mismatched.append((message, translated))
    hint = "translate them in tui/locale/ja/LC_MESSAGES/vpce_wizard.po (docs/architecture.md, Messages)"
    assert not missing, f"{len(missing)} message(s) without Japanese, {hint}: {missing[:5]}"
    assert not mismatched, f"placeholders differ: {mismatched[:5]}"


def test_japanese_text_is_padded_by_terminal_columns():
    assert cell_width("エラー") == 6 and cell_width("error") == 5 and cell_width("ＡＢ") == 4
    assert pad("警告", 7) == "警告   " and cell_width(pad("警告", 7)) == 7
    assert pad("toolong", 3) == "toolong"


def test_help_and_argparse_words_in_japanese(capsys):
    with pytest.raises(SystemExit):
        main(["--lang", "ja", "--help"])
    out = capsys.readouterr().out
    assert out.startswith("使い方: vpce-wizard")
    assert "オプション:" in out and "このヘルプを表示して終了する" in out
    assert "対話式ウィザード" in out and "show this help" not in out


def test_argparse_errors_in_japanese_and_back_in_english(capsys):
    with pytest.raises(SystemExit):
        main(["validate", "--lang", "ja"])
    assert "エラー: 次の引数が必要です: FILE|-" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["validate", "--lang", "en"])
    assert "error: the following arguments are required: FILE|-" in capsys.readouterr().err


def test_an_invalid_lang_is_refused_by_argparse(capsys):
    with pytest.raises(SystemExit) as exited:
        main(["--lang", "fr", "catalog"])
    assert exited.value.code == 2 and "invalid choice: 'fr'" in capsys.readouterr().err


def test_english_commands_never_load_the_catalog_reader(tmp_path):
    policy = tmp_path / "p.json"
    policy.write_text('{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}')
    probe = (f"import contextlib, io, sys\nfrom tui.cli import main\nwith contextlib.redirect_stdout(io.StringIO()):\n"
             f"    main(['validate', {str(policy)!r}, '--lang', 'en'])\nprint('babel' in sys.modules)")
    output = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert output.split()[-1] == "False"


def test_help_is_wrapped_by_terminal_columns_and_japanese_breaks_between_characters(capsys):
    with pytest.raises(SystemExit):
        main(["--lang", "ja", "apply", "--help"])
    lines = capsys.readouterr().out.splitlines()
    assert max(cell_width(line) for line in lines) <= 80
    assert not any(line.lstrip().startswith(("、", "。")) for line in lines)  # kinsoku: no line starts with them
    assert wrap("各ページに接続を試みる。オフライン", 12) == ["各ページに接", "続を試みる。", "オフライン"]
    assert wrap("still-open, would-break, x", 12) == ["still-open,", "would-break,", "x"]


BROKEN = ('{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*",'
          ' "Condition": {"StringLike": {"aws:PrincipalAccount": "1111*"}}},'
          ' {"Effect": "Allow", "NotPrincipal": {"AWS": "x"}, "Action": "s3:GetObject", "Resource": "*"}]}')


def run_cli(argv, capsys, monkeypatch, lang_env=None):
    if lang_env:
        monkeypatch.setenv("LANG", lang_env)
    code = main(argv)
    return code, capsys.readouterr().out


def test_validate_speaks_japanese_from_lang_and_english_with_the_option(tmp_path, capsys, monkeypatch):
    policy = tmp_path / "broken.json"
    policy.write_text(BROKEN)
    code, out = run_cli(["validate", str(policy)], capsys, monkeypatch, lang_env="ja_JP.UTF-8")
    assert code == 1
    assert "エラー  wildcard-in-sensitive-key" in out and "AWS は '1111*' のワイルドカードを拒否します" in out
    assert "NotPrincipal は使えません" in out and out.splitlines()[-1].startswith("無効: 最小化して")
    code, out = run_cli(["validate", str(policy), "--lang", "en"], capsys, monkeypatch)
    assert code == 1 and "AWS refuses the wildcard in '1111*'" in out and "invalid: " in out
    assert not any(cell_width(line) != len(line) for line in out.splitlines())  # not a wide character left


def test_json_is_the_english_document_plus_the_localised_message_escaped_to_ascii(tmp_path, capsys, monkeypatch):
    policy = tmp_path / "broken.json"
    policy.write_text(BROKEN)
    _, english = run_cli(["validate", str(policy), "--json"], capsys, monkeypatch)
    _, japanese = run_cli(["validate", str(policy), "--json", "--lang", "ja"], capsys, monkeypatch)
    assert japanese.isascii() and "\\u30ef\\u30a4\\u30eb\\u30c9" in japanese  # ensure_ascii escapes
    english_doc, japanese_doc = json.loads(english), json.loads(japanese)
    localised = [finding.pop("message_localised") for finding in japanese_doc["findings"]]
    assert japanese_doc == english_doc  # identical apart from the added field
    assert "ワイルドカードを拒否します" in localised[0] and all("message_localised" not in f for f in english_doc["findings"])


def test_sarif_keeps_english_and_carries_the_translation_in_the_result_properties(tmp_path, capsys, monkeypatch):
    policy = tmp_path / "broken.json"
    policy.write_text(BROKEN)
    _, english = run_cli(["validate", str(policy), "--format", "sarif"], capsys, monkeypatch)
    _, japanese = run_cli(["validate", str(policy), "--format", "sarif", "--lang", "ja"], capsys, monkeypatch)
    english_results = json.loads(english)["runs"][0]["results"]
    japanese_results = json.loads(japanese)["runs"][0]["results"]
    assert [r["message"] for r in japanese_results] == [r["message"] for r in english_results]
    assert "NotPrincipal は使えません" in japanese_results[1]["properties"]["message_localised"]
    assert "message_localised" not in english_results[1]["properties"]


def test_a_hostile_value_in_a_japanese_message_is_still_escaped(tmp_path, capsys, monkeypatch):
    policy = tmp_path / "hostile.json"
    policy.write_text('{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*",'
                      ' "Resource": "*", "Sid": "a", "Condition": {"StringLike": {"aws:PrincipalAccount": "1\\u001b]0;x\\u0007*"}}}]}')
    _, out = run_cli(["validate", str(policy), "--lang", "ja"], capsys, monkeypatch)
    assert "\x1b" not in out and "\\x1b" in out and "ワイルドカード" in out


OPEN_POLICY = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "true"}}}]})
CHECK_ARGS = ["--region", "eu-west-1", "--trusted-account", "111122223333"]


def test_check_speaks_japanese_and_its_json_and_sarif_keep_english_plus_the_translation(tmp_path, capsys, monkeypatch):
    policy = tmp_path / "open.json"
    policy.write_text(OPEN_POLICY)
    code, out = run_cli(["check", str(policy), *CHECK_ARGS], capsys, monkeypatch, lang_env="ja_JP.UTF-8")
    assert code == 1 and "信頼できる範囲の外のプリンシパルを許可します" in out and "admits principals" not in out
    _, english = run_cli(["check", str(policy), *CHECK_ARGS, "--json", "--lang", "en"], capsys, monkeypatch)
    _, japanese = run_cli(["check", str(policy), *CHECK_ARGS, "--json", "--lang", "ja"], capsys, monkeypatch)
    english_doc, japanese_doc = json.loads(english), json.loads(japanese)
    assert japanese.isascii()  # ensure_ascii escapes, as validate's
    localised = [finding.pop("message_localised") for finding in japanese_doc["findings"]]
    assert japanese_doc == english_doc and all("message_localised" not in f for f in english_doc["findings"])
    foreign = next(i for i, f in enumerate(english_doc["findings"]) if f["code"] == "foreign-principals")
    assert "信頼できる範囲の外" in localised[foreign] and english_doc["findings"][foreign]["message"].startswith("admits principals")
    _, sarif = run_cli(["check", str(policy), *CHECK_ARGS, "--format", "sarif", "--lang", "ja"], capsys, monkeypatch)
    result = next(r for r in json.loads(sarif)["runs"][0]["results"] if r["ruleId"] == "foreign-principals")
    assert result["message"]["text"].startswith("admits principals") and "信頼できる範囲の外" in result["properties"]["message_localised"]


def test_every_analysis_template_formats_in_both_languages_with_the_same_fields():
    """The analyser's table is separate from the validator's (`wildcard-bucket` means different things); each
    of its templates fills from its own fields in English and in Japanese."""
    from tui.report.i18n import set_language
    from tui.report.messages import ANALYSIS_MESSAGES, VALIDATOR_MESSAGES, localised, message

    assert ANALYSIS_MESSAGES["wildcard-bucket"] != VALIDATOR_MESSAGES["wildcard-bucket"]
    for key, english in ANALYSIS_MESSAGES.items():
        code, _, variant = key.partition(" (")
        params = {name: f"<{name}>" for name in fields(english)} | ({"variant": variant[:-1]} if variant else {})
        assert message(code, params, ANALYSIS_MESSAGES) == english.format_map(params)
        set_language("ja")
        try:
            japanese = localised(code, params, ANALYSIS_MESSAGES)
        finally:
            set_language("en")
        assert japanese != english or english in ("{reason}", "{detail}", "{code}: {location}{detail}"), key
        assert all(f"<{name}>" in japanese for name in fields(english)), key


def test_the_usage_lines_of_japanese_help_are_aligned_by_terminal_columns(capsys):
    """argparse aligns the usage's continuation lines by the prefix's length: "使い方: " is 5 characters but
    8 columns, so they were 3 columns short of where the first line's arguments start."""
    usage = {}
    for language in ("en", "ja"):
        with pytest.raises(SystemExit):
            main(["--lang", language, "validate", "--help"])
        usage[language] = capsys.readouterr().out.split("\n\n")[0].splitlines()
    for lines in usage.values():
        first, *rest = lines
        arguments_start = cell_width(first[:first.index("[-h]")])
        assert rest and all(len(line) - len(line.lstrip()) == arguments_start for line in rest), lines
    assert [line.strip() for line in usage["ja"][1:]] == [line.strip() for line in usage["en"][1:]]


WRAPPED = "適用には AWS が必要です。オフラインです"


def test_the_wizard_breaks_japanese_between_characters_with_the_installed_rich_and_textual(monkeypatch):
    """tui/app/wrapping.py patches private regexes of Rich and Textual: with the versions installed it must be
    active (the sentence after "AWS" starts on the same line, and no line starts with "。")."""
    import rich._wrap
    import textual._wrap
    from rich.console import Console
    from rich.text import Text

    from tui.app.wrapping import allow_breaks_between_wide_characters

    monkeypatch.setattr(rich._wrap, "re_word", rich._wrap.re_word)  # restored after the test, whatever it held
    monkeypatch.setattr(textual._wrap, "re_chunk", textual._wrap.re_chunk)
    assert allow_breaks_between_wide_characters()
    lines = [line.plain.rstrip() for line in Text(WRAPPED).wrap(Console(width=80), 15)]
    assert lines == ["適用には AWS が", "必要です。オフ", "ラインです"]
    assert textual._wrap.compute_wrap_offsets(WRAPPED, 15, 8) == [10, 17]
    colon = [line.plain.rstrip() for line in Text("許可されています: カタログ (al2)、AWS、x").wrap(Console(width=80), 16)]
    assert colon == ["許可されていま", "す: カタログ", "(al2)、AWS、x"]  # ":" and "、" stay with what comes before them
    assert wrap("許可されています: バケット", 16) == ["許可されています:", "バケット"]


def test_the_line_breaking_patch_fails_safe_when_rich_no_longer_has_its_regex(monkeypatch):
    import rich._wrap
    import textual._wrap

    from tui.app.wrapping import allow_breaks_between_wide_characters

    monkeypatch.delattr(rich._wrap, "re_word")
    before = textual._wrap.re_chunk
    assert allow_breaks_between_wide_characters() is False
    assert textual._wrap.re_chunk is before  # nothing half-patched


ENGLISH_WORD = re.compile(r"(?<![\w\\:/.*'-])[a-z]{3,}(?![\w:/*'-])")
"""A lowercase English word standing alone: not part of an ARN, an action, a key, a code or a quoted value."""


def english_words(text: str) -> list[str]:
    return [word for word in ENGLISH_WORD.findall(text) if word not in ("dnf", "yum", "syslog")]  # tool names


def in_japanese(render):
    from tui.report.i18n import set_language

    set_language("ja")
    try:
        return render()
    finally:
        set_language("en")


def test_callers_and_undecided_questions_are_worded_in_the_language_of_their_finding():
    """`who` and the question `unproven` names were English phrases inside Japanese sentences."""
    from tui.policy.analysis import Finding, Severity, Witness, _question, describe_caller

    anonymous = Witness("s3:PutObject", "arn:aws:s3:::b/k", (("aws:PrincipalAccount", "anonymous"),), "Allow")
    foreign = Witness("s3:PutObject", "arn:aws:s3:::b/k", (("aws:PrincipalAccount", "999999999999"),), "Allow")
    writes = [Finding(Severity.HIGH, "foreign-writes", {"who": describe_caller(w), "pattern": "arn:aws:s3:::b/*",
                                                        "action": "s3:PutObject"}, w) for w in (anonymous, foreign)]
    assert [f.message for f in writes] == [
        "lets anonymous callers write to arn:aws:s3:::b/* (s3:PutObject): an exfiltration path",
        "lets account 999999999999 write to arn:aws:s3:::b/* (s3:PutObject): an exfiltration path"]
    japanese = [in_japanese(f.localised) for f in writes]
    assert japanese[0].startswith("匿名の呼び出し元 に arn:aws:s3:::b/*") and japanese[1].startswith("アカウント 999999999999 に")
    who = describe_caller(Witness("s3:GetObject", "*", (), "Allow"))
    undecided = Finding(Severity.HIGH, "unproven", {"variant": "resource-limit",
                                                    "question": _question("lock-out", who=who, action="s3:GetObject")})
    assert undecided.message == "the solver could not decide whether any caller may call s3:GetObject within its resource limit"
    japanese_undecided = in_japanese(undecided.localised)
    assert "任意の呼び出し元 が s3:GetObject を呼び出せるかどうか" in japanese_undecided
    assert not english_words(japanese_undecided) and not any(english_words(text) for text in japanese)


def test_nested_validator_findings_and_blocked_buckets_read_in_japanese_in_check(tmp_path, capsys, monkeypatch):
    """invalid-policy carried the validator's English sentence, aws-owned-buckets-blocked an English detail and
    ambiguous-document English doubts; in Japanese each is now worded in Japanese, and English is unchanged
    (tests/test_report_golden.py)."""
    golden = Path(__file__).parent / "golden" / "report"
    lines = []
    for name in ("broken", "ambiguous"):
        _, out = run_cli(["check", str(golden / f"{name}-policy.json"), *CHECK_ARGS, "--lang", "ja"], capsys, monkeypatch)
        lines += [line for line in out.splitlines() if ": " in line and "witness" not in line]
    by_code = {}
    for line in lines:
        code, _, text = line.split(maxsplit=1)[1].partition(": ")
        by_code.setdefault(code, []).append(text)
    assert any("NotPrincipal は使えません" in text for text in by_code["invalid-policy"])
    assert "Amazon Linux 2023 の dnf が失敗します" in by_code["aws-owned-buckets-blocked"][0]
    assert "Amazon Linux 2023 リポジトリ (al2023)" in by_code["aws-owned-buckets-blocked"][0]  # the catalog title too
    assert "1 つのオブジェクトに複数あります" in by_code["ambiguous-document"][0]
    for code in ("invalid-policy", "aws-owned-buckets-blocked", "ambiguous-document"):
        assert all(not english_words(text) for text in by_code[code]), (code, [english_words(t) for t in by_code[code]])


def test_a_worded_parameter_is_its_english_to_json_and_copies_and_still_translates_after_a_pickle():
    """Caches and JSON see the English they always saw; a pickled or copied phrase keeps its code."""
    import copy
    import pickle

    from tui.report.messages import Listing, Phrase, Term

    who = Listing([Phrase("caller", {"variant": "account", "account": "999999999999"}), Term("Amazon Linux 2 repositories")], "; ")
    assert json.dumps({"who": who}) == '{"who": "account 999999999999; Amazon Linux 2 repositories"}'
    for clone in (copy.deepcopy(who), pickle.loads(pickle.dumps(who))):  # noqa: S301 - our own bytes
        assert clone == who and in_japanese(clone.localised) == "アカウント 999999999999。Amazon Linux 2 リポジトリ"


def test_a_verdict_read_back_from_the_disk_cache_still_speaks_japanese():
    """The verdict cache stores findings as JSON: their phrases are stored as codes and parameters, not as the
    English they print as, and anything else in that place is refused as an entry this tool did not write."""
    from tui.policy.analysis import Analysis, Classification, Finding, Severity, Witness, _question, describe_caller
    from tui.policy.verdict_cache import from_entry, to_entry

    witness = Witness("s3:GetObject", "*", (("aws:PrincipalAccount", "anonymous"),), "Allow")
    finding = Finding(Severity.HIGH, "unproven", {"variant": "resource-limit",
                                                  "question": _question("lock-out", who=describe_caller(witness), action="s3:GetObject")})
    entry = json.loads(json.dumps(to_entry(Analysis(Classification.UNPROVEN, (finding,)))))
    read_back = from_entry(entry).findings[0]
    assert read_back.message == finding.message
    assert in_japanese(read_back.localised) == in_japanese(finding.localised) and "匿名の呼び出し元" in in_japanese(read_back.localised)
    for planted in ({"phrase": "no-such-code", "table": "phrases", "params": {}}, {"phrase": "caller", "table": "os", "params": {}},
                    {"listing": ["a"], "separator": "\x1b[2J"}, {"term": 1}, [1]):
        entry["findings"][0]["params"]["question"] = planted
        with pytest.raises((TypeError, ValueError, KeyError)):
            from_entry(entry)


def test_every_outcome_reason_code_has_its_words_and_every_template_a_code():
    from tui.aws.apply import Reason
    from tui.report.messages import OUTCOME_MESSAGES

    assert {key.partition(" (")[0] for key in OUTCOME_MESSAGES} == {str(reason) for reason in Reason}


def test_apply_speaks_japanese_in_the_plan_the_outcomes_and_the_diff_and_json_keeps_english(aws_env, capsys, monkeypatch, tmp_path):
    """Reasons, refusals and warnings are codes with parameters: said in Japanese in text, in English in JSON
    (tests/test_report_golden.py holds the English text and JSON byte for byte)."""
    from tui.aws.sandbox import perimeter_policy
    from tui.policy.documents import pretty

    policy = tmp_path / "s3.json"
    policy.write_text(pretty(perimeter_policy(aws_env.account, "eu-west-1")))
    s3 = aws_env.endpoints[("eu-west-1", "s3")]
    argv = ["apply", "--policy", str(policy), "--dry-run", f"--endpoint={s3}", "--endpoint=vpce-0123456789abcdef0"]
    code, out = run_cli([*argv, "--lang", "ja"], capsys, monkeypatch)
    assert code == 1
    lines = out.splitlines()
    assert "  --- 現在" in lines and "  +++ 新規" in lines
    assert "  拒否: vpce-0123456789abcdef0: eu-west-1 に見つかりません: エンドポイント ID と --region を確かめてください" in lines
    outcome = next(line for line in lines if line.startswith("ドライラン"))
    assert outcome == f"ドライラン {s3} eu-west-1: 新しいポリシーを書き込みます。権限の確認に合格しました"
    refused = next(line for line in lines if line.startswith("拒否 "))
    assert cell_width(refused[:refused.index("vpce-")]) == 10  # the status column is 9 terminal columns wide, then a space
    assert any(line.startswith("          警告: API が DryRun を無視しました") for line in lines)
    words_outside_the_diff = [line for line in lines if not line.startswith(("  +", "  -", "   ", "  @@"))]
    assert not any(english_words(line) for line in words_outside_the_diff), [english_words(line) for line in words_outside_the_diff]
    _, english = run_cli([*argv, "--json", "--lang", "en"], capsys, monkeypatch)
    _, japanese = run_cli([*argv, "--json", "--lang", "ja"], capsys, monkeypatch)
    english_doc, japanese_doc = json.loads(english), json.loads(japanese)
    assert japanese.isascii()  # ensure_ascii escapes, as check's and audit's
    localised = [(o.pop("reason_localised"), o.pop("warnings_localised")) for o in japanese_doc["outcomes"]]
    assert japanese_doc == english_doc  # identical apart from the added fields
    assert not any("reason_localised" in o or "warnings_localised" in o for o in english_doc["outcomes"])
    assert english_doc["outcomes"][0]["reason"] == "would write the new policy; permission check passed"
    reason, warnings = localised[0]
    assert reason == "新しいポリシーを書き込みます。権限の確認に合格しました"
    assert len(warnings) == len(english_doc["outcomes"][0]["warnings"]) and all(w.startswith("API が DryRun") for w in warnings)
    assert all(not english_words(text) for text in [reason, *warnings])


def test_the_wizard_confirm_dialog_says_a_plan_in_the_cli_words():
    """One rendering of a planned change (tui/report/changes.py): the wizard colours the CLI's lines."""
    from tui.app.confirm import plan_text
    from tui.aws.apply import ApplyPlan, PlannedChange, Reason, said
    from tui.aws.discovery import Endpoint
    from tui.policy.diff import policy_diff
    from tui.report.changes import change_lines

    def endpoint(endpoint_id):
        return Endpoint(endpoint_id, "eu-west-1", "vpc-1", "com.amazonaws.eu-west-1.s3", "s3", "Gateway", "available",
                        None, True, True, "", "full access")

    new = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "*"}]}
    items = [PlannedChange(endpoint("vpce-1"), new, policy_diff(None, new), warnings=[said(Reason.DRY_RUN_IGNORED)]),
             PlannedChange(endpoint("vpce-2"), new, [], refusal=said(Reason.NOT_ALLOWED, endpoint="vpce-2")),
             PlannedChange(endpoint("vpce-3"), new, [], unchanged=True)]
    def shown_and_said():
        return plan_text(ApplyPlan(items, "here")).plain.splitlines(), [f"  {line}" for item in items for _, line in change_lines(item)]

    for shown, said_lines in (shown_and_said(), in_japanese(shown_and_said)):
        assert len(said_lines) > 5 and all(line in shown for line in said_lines), (said_lines, shown)
    japanese, _said = in_japanese(shown_and_said)
    assert "  --- 現在" in japanese and any(line.startswith("  拒否: vpce-2 を変更する権限がありません") for line in japanese)


def test_audit_and_check_say_severities_witnesses_and_counts_in_japanese(aws_env, tmp_path, capsys, monkeypatch):
    code, out = run_cli(["audit", "--region", "eu-west-1", "--lang", "ja"], capsys, monkeypatch)
    assert code == 1
    lines = out.splitlines()
    findings = [line for line in lines if line.startswith("    ")]
    assert findings and all(line[4:].startswith(("高 ", "中 ", "低 ", "情報 ")) for line in findings), findings
    assert all(cell_width(re.match(r" {4}\S+ +", line).group(0)) == 11 for line in findings)  # codes line up in column 11
    assert re.fullmatch(r"\d+ 個のエンドポイント: 高 \d+ 件、中 \d+ 件、低 \d+ 件、情報 \d+ 件", lines[-1]), lines[-1]
    assert not any(word in out for word in ("HIGH", "MEDIUM", "INFO", " high", " info"))
    policy = tmp_path / "open.json"
    policy.write_text(OPEN_POLICY)
    _, checked = run_cli(["check", str(policy), *CHECK_ARGS, "--lang", "ja"], capsys, monkeypatch)
    assert "           証拠: Allow " in checked and "witness:" not in checked


def test_command_errors_and_the_sandbox_summary_speak_japanese(capsys, monkeypatch):
    from tui.aws.sandbox import Sandbox

    assert main(["apply", "--lang", "ja"]) == 2
    assert capsys.readouterr().err.strip() == "エラー: --endpoint ID と --policy FILE を指定してください (またはターゲット: --org、--ou、--accounts、--service)"
    assert main(["rollback", "--endpoint", "vpce-0123456789abcdef0", "--org", "--lang", "ja", "--backup", "b.json"]) == 2
    assert "エラー: --endpoint、--backup、--default は 1 つのエンドポイントを指定します" in capsys.readouterr().err
    box = Sandbox(None, "http://127.0.0.1:1", "123456789012", ("eu-west-1",), {("eu-west-1", "s3"): "vpce-1"})
    lines = in_japanese(box.summary_lines)
    assert lines[0] == "サンドボックスを http://127.0.0.1:1 で実行中: アカウント 123456789012、リージョン eu-west-1"
    assert lines[1] == "エンドポイント:" and not any(english_words(line) for line in lines if not line.startswith("  "))


def test_service_template_words_read_in_japanese_in_findings_and_the_catalog(tmp_path, capsys, monkeypatch):
    """The service templates' notes, caveat and exception titles are catalog messages (babel.cfg)."""
    policy = tmp_path / "sts.json"
    policy.write_text(json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*",
         "Condition": {"StringEquals": {"aws:PrincipalAccount": "111122223333"}}},
        {"Effect": "Allow", "Principal": "*", "Action": ["sts:AssumeRoleWithWebIdentity", "sts:AssumeRoleWithSAML"], "Resource": "*",
         "Condition": {"StringEquals": {"aws:ResourceAccount": "111122223333"}}}]}))
    _, out = run_cli(["check", str(policy), *CHECK_ARGS, "--service", "sts", "--lang", "ja"], capsys, monkeypatch)
    assert "信頼できるロールへのウェブ ID フェデレーションと SAML フェデレーション (sts テンプレートのエントリ federation)" in out
    assert main(["generate", "--account", "111122223333", "--region", "eu-west-1", "--service", "logs", "--lang", "ja",
                 "-o", str(tmp_path / "logs.json")]) == 0
    assert "logs: 警告: CloudWatch Logs の syslog エンドポイントは syslog を匿名のプリンシパルとして受け取ります" in capsys.readouterr().err
    _, services = run_cli(["catalog", "--services", "--lang", "ja"], capsys, monkeypatch)
    notes = [line.strip() for line in services.splitlines() if line.startswith(" ")]
    assert len(notes) >= 8 and not any(english_words(re.sub(r"\(https://\S+\)", "", note)) for note in notes), notes


def test_impact_and_export_speak_japanese_with_their_columns_aligned(tmp_path, capsys, monkeypatch):
    events = str(Path(__file__).parent / "cloudtrail" / "s3-endpoint.json")
    _, out = run_cli(["impact", "--events", events, "--denials", "--lang", "ja"], capsys, monkeypatch)
    header, row, summary = out.splitlines()
    assert header.split() == ["判定", "件数", "アクション", "プリンシパル", "最終確認", "リソース"]
    assert cell_width(header[:header.index("アクション")]) == cell_width(row[:row.index("s3:PutObject")]) == 25
    assert row.startswith("拒否済み ") and summary == "10 件のレコードを読み込み、1 件を再生: 拒否済み 1 件"
    _, trust = run_cli(["impact", "--events", events, "--suggest-trust", "--lang", "ja"], capsys, monkeypatch)
    assert trust.splitlines()[-1] == "10 件のレコードを読み込み、うちエンドポイント経由 9 件"
    assert main(["export", "--format", "ssm-automation", "--account", "123456789012", "--region", "eu-west-1",
                 "--accounts", "123456789012", "-o", str(tmp_path / "runbook.json"), "--lang", "ja"]) == 0
    assert capsys.readouterr().err.startswith("# ランブックを登録し、対象のすべてのアカウントとリージョンで実行します:\n")


def test_access_analyzer_notes_are_english_in_json_and_japanese_in_text():
    from tui.aws.access_analyzer import OFFLINE_NOTE, NewAccessCheck, Status, Validation

    skipped = Validation(Status.SKIPPED, note=OFFLINE_NOTE)
    assert skipped.to_dict()["note"].startswith("skipped: offline; pass --access-analyzer")
    assert skipped.lines() == [f"Access Analyzer ValidatePolicy {OFFLINE_NOTE}"]
    assert in_japanese(skipped.lines) == [("Access Analyzer ValidatePolicy スキップ: オフラインです。IAM Access Analyzer にも問い合わせるには "
                                          "(認証情報とともに) --access-analyzer を指定してください")]
    passed = NewAccessCheck(Status.ASKED, "PASS")
    assert passed.line() == "Access Analyzer CheckNoNewAccess: PASS, no new access"
    assert in_japanese(passed.line) == "Access Analyzer CheckNoNewAccess: PASS、新しいアクセスなし"


def test_apply_refuses_an_invalid_policy_in_japanese_before_any_aws_call(tmp_path, capsys):
    policy = tmp_path / "bad.json"
    policy.write_text('{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "NotPrincipal": {"AWS": "x"}, '
                      '"Action": "s3:GetObject", "Resource": "*"}]}')
    assert main(["apply", "--endpoint", "vpce-0123456789abcdef0", "--policy", str(policy), "--lang", "ja"]) == 1
    error = capsys.readouterr().err
    assert error.startswith(f"エラー: {str(policy)!r} に 1 個のエラーがあります。最初のもの: Statement[0].NotPrincipal: NotPrincipal は使えません")


def test_why_an_endpoint_takes_no_policy_is_said_in_the_language_of_the_finding_or_refusal():
    from tui.aws.discovery import _why_no_policy
    from tui.aws.perimeter import no_policy

    partner = _why_no_policy("Interface", "com.amazonaws.vpce.eu-west-1.vpce-svc-0123", True)
    assert partner == "partner or private endpoint service (com.amazonaws.vpce.*): AWS allows full access and takes no policy"
    finding = no_policy(partner).findings[0]
    assert finding.message == partner and in_japanese(finding.localised).startswith("パートナーまたはプライベートのエンドポイントサービス")
    unsupported = _why_no_policy("Interface", "com.amazonaws.eu-west-1.example", False)
    assert in_japanese(unsupported.localised) == "このサービスはエンドポイントポリシーをサポートしていません: AWS はフルアクセスを許可します"


async def test_the_wizard_says_a_dry_run_outcome_with_the_cli_words_in_japanese(tmp_path):
    """The wizard's results table renders outcomes through tui/report/changes.py too: the dry-run word and the
    reason and warning of a sandbox apply, in Japanese."""
    from textual.widgets import Checkbox, DataTable

    from test_app_sandbox import wait_for, walk_to_apply
    from test_app_support import SIZE, type_text
    from tui.app.app import create_app
    from tui.app.apply_step import ApplyScreen
    from tui.app.confirm import ConfirmApplyModal

    app = create_app(sandbox=True, output_dir=tmp_path, language="ja")
    async with app.run_test(size=SIZE) as pilot:
        s3 = (await walk_to_apply(app, pilot))["s3"]
        app.screen.query_one("#dry-run", Checkbox).value = True
        for listing in app.screen.query(".vpc"):
            if s3 in [listing.get_option_at_index(i).value for i in range(listing.option_count)]:
                listing.select(s3)
        await pilot.press("ctrl+a")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmApplyModal) and app.screen.query("#plan-text"))
        assert "  --- 現在" in str(app.screen.query_one("#plan-text").content).splitlines()
        await type_text(pilot, "yes")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ApplyScreen) and "完了" in str(app.screen.query_one("#run-status").content))
        word, details = (str(cell) for cell in app.screen.query_one("#outcomes", DataTable).get_row(s3)[1:])
        assert word == "ドライラン: 適用されます"
        assert details.startswith("新しいポリシーを書き込みます。権限の確認に合格しました。API が DryRun を無視しました")


def test_a_json_syntax_error_is_said_in_japanese(tmp_path, capsys):
    broken = tmp_path / "broken.json"
    broken.write_text('{"Version": "2012-10-17", "Statement": [\n')
    assert main(["validate", str(broken), "--lang", "ja"]) == 2
    assert capsys.readouterr().err.strip() == f"エラー: ポリシーファイル {str(broken)!r} は正しい JSON ではありません: 値がありません (2 行 1 列)"
    assert main(["validate", str(broken), "--lang", "en"]) == 2
    assert capsys.readouterr().err.strip().endswith("is not valid JSON: Expecting value (line 2 column 1)")


def test_a_wrong_json_type_is_said_in_japanese_and_worded_exactly_as_jsonschema_in_english():
    from tui.policy.validator import validate
    from tui.policy.verdict_cache import from_entry, to_entry

    doc = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                                                   "Resource": "*", "Sid": {"nested": [1.5]}}]}
    finding = next(f for f in validate(doc) if f.code == "schema")
    assert finding.message == "{'nested': [1.5]} is not of type 'string'"
    assert in_japanese(finding.localised) == "{'nested': [1.5]} は 'string' 型ではありません"
    from tui.policy.analysis import Analysis, Classification, Finding, Severity
    from tui.report.messages import Phrase

    nested = Finding(Severity.MEDIUM, "invalid-policy", {"code": "schema", "location": "", "detail": Phrase("schema", finding.params, "validator")})
    read_back = from_entry(json.loads(json.dumps(to_entry(Analysis(Classification.UNPROVEN, (nested,)))))).findings[0]
    assert in_japanese(read_back.localised) == "schema: {'nested': [1.5]} は 'string' 型ではありません"


def test_aws_errors_print_in_japanese_and_stay_english_as_text_with_urls_redacted():
    from botocore.exceptions import ClientError, EndpointConnectionError, NoCredentialsError

    from tui.aws.errors import translate
    from tui.report.messages import error_in_language as error_text

    missing = translate(NoCredentialsError())
    assert str(missing) == "no AWS credentials found: run `aws configure`, `aws sso login`, or pass --profile"
    assert in_japanese(lambda: error_text(missing)).startswith("AWS の認証情報が見つかりません")
    denied = translate(ClientError({"Error": {"Code": "AccessDenied", "Message": "no"}}, "DescribeVpcEndpoints"))
    assert str(denied).startswith("access denied to DescribeVpcEndpoints (AccessDenied): grant")
    assert in_japanese(lambda: error_text(denied)).startswith("DescribeVpcEndpoints へのアクセスが拒否されました (AccessDenied)")
    unreachable = translate(EndpointConnectionError(endpoint_url="https://user:secret@example.com/x?token=t"))
    for text in (str(unreachable), in_japanese(lambda: error_text(unreachable))):
        assert "secret" not in text and "token=t" not in text and "***@example.com" in text


def test_refused_input_is_said_in_japanese_by_the_cli_and_stays_english_as_text(capsys, monkeypatch):
    from tui.policy.answers import Answers
    from tui.policy.errors import InputError

    assert main(["generate", "--region", "eu-west-1", "--service", "s3", "--lang", "ja"]) == 2
    assert capsys.readouterr().err.strip() == "エラー: 信頼できるアカウント ID か組織 ID を少なくとも 1 つ指定してください"
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    assert main(["audit", "--region", "eu-west-1", "--endpoint-url", "ftp://x", "--lang", "ja"]) == 2
    assert "エンドポイント URL 'ftp://x' が https://host[:port] の形ではありません" in capsys.readouterr().err
    with pytest.raises(InputError) as refused:
        Answers(accounts=("111122223333",), services=()).checked()
    assert str(refused.value) == "choose at least one service"


def test_an_org_target_that_failed_keeps_its_phrase_for_the_reader_and_english_for_json():
    from tui.aws.apply import Reason, said
    from tui.aws.fanout import TargetFailed, TargetResult, TargetStatus, _run_one
    from tui.aws.targets import Target
    from tui.report.changes import target_error_line
    from tui.report.messages import Phrase

    class Sessions:
        def connection(self, account):
            return None

    def work(member, target):
        raise TargetFailed(Phrase("targets", {"variant": "not-changed", "bad": 1, "count": 2, "endpoint": "vpce-1",
                                              "reason": said(Reason.NOT_ALLOWED, endpoint="vpce-1")}), [])

    result = _run_one(Sessions(), Target("111122223333", "eu-west-1"), work)
    assert isinstance(result, TargetResult) and result.status is TargetStatus.FAILED
    assert json.loads(json.dumps(result.error_dict()))["message"] == (
        "1 of 2 endpoint(s) not changed: vpce-1: not allowed to modify vpce-1 (UnauthorizedOperation): grant "
        "ec2:ModifyVpcEndpoint; nothing was written")
    line = in_japanese(lambda: target_error_line(result.status, "111122223333", "eu-west-1", result.message))
    assert line.startswith("失敗") and "2 個のうち 1 個のエンドポイントを変更できませんでした: vpce-1: vpce-1 を変更する権限がありません" in line


def refused_in_both_languages(call):
    """An InputError or AwsError's English text (its `str`, as logs and JSON see it) and what the CLI prints
    when it speaks Japanese (set before the call, as `--lang ja` is)."""
    from tui.policy.errors import WizardError
    from tui.report.messages import error_in_language

    def raised():
        with pytest.raises(WizardError) as refused:
            call()
        return refused.value

    english = raised()
    return str(english), in_japanese(lambda: error_in_language(raised()))


def english_outside_code(text: str) -> list[str]:
    """English words left in a Japanese message, leaving out commands the user is told to run (`chmod ...`)."""
    return english_words(re.sub(r"`[^`]*`", "", text))


def test_plans_backups_targets_and_waves_refuse_input_in_japanese_and_keep_their_english(tmp_path, monkeypatch):
    import os

    from tui.aws.backups import load_backup, scan_backups
    from tui.aws.plans import load_plan
    from tui.aws.targets import Target, TargetSpec, check_ou_id, parse_accounts, resolve_accounts
    from tui.aws.waves import canary_waves, waves_from_accounts

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    not_a_plan, bad_endpoint, not_json = tmp_path / "other.json", tmp_path / "plan.json", tmp_path / "broken.json"
    not_a_plan.write_text('{"format": 1}')
    bad_endpoint.write_text('{"format": 1, "kind": "vpce-wizard-plan", "endpoints": [[]]}')
    not_json.write_text("{")
    backup = tmp_path / "vpce-0123456789abcdef0.20261129T000000.000000Z.json"
    backup.write_text('{"format": 1, "endpoint_id": "vpce-0123456789abcdef0", "region": "eu-west-1", "account": "1"}')
    os.chmod(backup, 0o600)
    shared = tmp_path / "shared.json"
    shared.write_text("{}")
    os.chmod(shared, 0o602)  # noqa: S103 - the unsafe file under test
    targets = [Target("111122223333", "eu-west-1"), Target("444455556666", "eu-west-1")]
    calls = {
        "not-a-plan": lambda: load_plan(str(not_a_plan)), "plan-endpoint": lambda: load_plan(str(bad_endpoint)),
        "plan-json": lambda: load_plan(str(not_json)), "no-plan": lambda: load_plan(str(tmp_path / "missing.json")),
        "backup-fields": lambda: load_backup(backup), "backup-shared": lambda: load_backup(shared),
        "backup-json": lambda: load_backup(not_json) if os.chmod(not_json, 0o600) is None else None,
        "ou": lambda: check_ou_id("ou-x"), "accounts": lambda: parse_accounts("no-such-file"),
        "no-target": lambda: resolve_accounts(None, TargetSpec(accounts=("111122223333",), exclude=("111122223333",))),
        "canary": lambda: canary_waves(2, targets), "one-wave": lambda: waves_from_accounts([("111122223333", "444455556666")], targets),
    }
    said = {name: refused_in_both_languages(call) for name, call in calls.items()}
    assert said["not-a-plan"][0] == f"{str(not_a_plan)!r} is not a vpce-wizard plan (format 1)"
    assert said["plan-endpoint"][0].startswith(f"plan {str(bad_endpoint)!r} endpoint 0 is not an object")
    assert said["plan-json"][0].startswith(f"plan {str(not_json)!r} is not valid JSON")
    assert said["backup-fields"][0] == f"backup {str(backup)!r} is not a vpce-wizard backup: its account is missing or malformed"
    assert said["backup-shared"][0] == (f"refusing backup {str(shared)!r}: it is writable by others (mode 602): "
                                        f"run `chmod 600 {shared}`")
    assert said["no-target"][0] == "no target account in --accounts: every account found is excluded; nothing was audited or changed"
    assert said["canary"][0] == "--canary 2 covers all 2 target account(s): nothing would wait for it"
    assert said["backup-shared"][1] == (f"バックアップ {str(shared)!r} を拒否します: 他のユーザーが書き込めます (モード 602): "
                                        f"`chmod 600 {shared}` を実行してください")
    assert said["plan-json"][1].startswith(f"プラン {str(not_json)!r} は正しい JSON ではありません")
    left = {name: english_outside_code(japanese) for name, (_english, japanese) in said.items()}
    assert left.pop("backup-fields") == ["account"]  # the backup's JSON key, named as it is written
    assert not any(left.values()), left
    _backups, ignored = scan_backups()
    assert ignored == []  # the folder is empty: scan_backups' reasons are the same phrases (tested through load_backup)


def test_the_core_and_the_aws_layer_refuse_input_in_japanese_and_keep_their_english(tmp_path):
    from datetime import UTC, datetime

    from tui.aws.fanout import ErrorBudget, RoleAccess
    from tui.aws.sandbox import check_port_free
    from tui.aws.trail import parse_s3_url
    from tui.policy.analysis import Caller
    from tui.policy.answers import Answers
    from tui.policy.builder import build_policy
    from tui.policy.catalog import load_catalog
    from tui.policy.cloudtrail import local_sources
    from tui.policy.engines import ssm_automation_document, start_commands, terraform_import
    from tui.policy.impact import impact_groups, org_membership, parse_since
    from tui.policy.renderers import FORMATS, render

    (tmp_path / "empty").mkdir()
    answers = Answers(accounts=("111122223333",), services=("s3",), region="eu-west-1")
    calls = {
        "runbook-region": lambda: ssm_automation_document({}), "runbook-targets": lambda: start_commands("d", "p", [], ["eu-west-1"]),
        "import": lambda: terraform_import([]), "trail-empty": lambda: local_sources([str(tmp_path / "empty")]),
        "trail-missing": lambda: local_sources([str(tmp_path / "missing")]),
        "impact-policy": lambda: impact_groups(None, [], None), "since": lambda: parse_since("soon", datetime.now(UTC)),
        "org-list": lambda: org_membership([], "org.json"), "org-shape": lambda: org_membership({"Accounts": [{}]}, "org.json"),
        "org-account": lambda: org_membership({"o-a1b2c3d4e5": ["12"]}, "org.json"),
        "format": lambda: render({}, "yaml"), "cloudformation": lambda: render({"s3": {}}, "cloudformation"),
        "catalog": lambda: load_catalog().get("no-such-entry"), "service": lambda: build_policy(answers, "no-such-service"),
        "trail-bucket": lambda: parse_s3_url("https://x"), "role": lambda: RoleAccess("bad role").checked(),
        "external-id": lambda: RoleAccess(external_id="x").checked(), "max-errors": lambda: ErrorBudget.parse("many"),
        "port": lambda: check_port_free(70000), "caller": lambda: Caller.from_arn("arn:aws:sts::1:x"),
        "caller-kind": lambda: Caller.from_arn("arn:aws:iam::111122223333:group/admins"),
    }
    said = {name: refused_in_both_languages(call) for name, call in calls.items()}
    assert said["since"][0] == "--since 'soon' is not a duration such as 7d, 24h, 30m or a date such as 2026-11-01"
    assert said["org-shape"][0] == 'org.json: expected {"o-...": [account IDs]} or `aws organizations list-accounts` output'
    assert said["org-list"][0] == "org.json: expected a JSON object"
    assert said["port"][0] == "port 70000 is not between 0 and 65535: pick another --port, or leave it out for a free one"
    assert said["caller-kind"][0] == "caller ARN 'arn:aws:iam::111122223333:group/admins' is not an assumed-role, federated-user, user or root ARN"
    assert said["format"][0].startswith("unknown format 'yaml' (choose from json, ")
    assert said["org-list"][1] == "org.json: JSON オブジェクトが必要です"
    parameters = ["org.json", *FORMATS, *(entry.id for entry in load_catalog().entries)]  # names, not words
    left = {name: english_outside_code(re.sub("|".join(map(re.escape, sorted(parameters, key=len, reverse=True))), "", japanese))
            for name, (_english, japanese) in said.items()}
    assert not any(left.values()), left


def test_what_was_being_done_when_aws_failed_is_said_in_japanese_and_english_is_unchanged():
    from botocore.exceptions import ClientError, ReadTimeoutError
    from botocore.exceptions import ConnectionError as BotocoreConnectionError

    from tui.aws.errors import translate
    from tui.report.messages import Phrase, error_in_language

    def failed(action):
        return translate(ReadTimeoutError(endpoint_url="https://ec2.eu-west-1.amazonaws.com/"), action)

    listing = failed(Phrase("aws-action", {"variant": "listing-endpoints", "region": "eu-west-1"}))
    assert str(listing).startswith("listing endpoints in eu-west-1 failed: Read timeout on endpoint URL")
    assert in_japanese(lambda: error_in_language(listing)).startswith("eu-west-1 のエンドポイントの一覧取得 に失敗しました: ")
    default = translate(ValueError("boom"))
    assert str(default) == "the AWS call failed: ValueError: boom"
    assert in_japanese(lambda: error_in_language(default)) == "AWS の呼び出し に失敗しました: ValueError: boom"
    accounts = translate(ClientError({"Error": {"Code": "Boom", "Message": "no"}}, ""), Phrase("aws-action", {"variant": "list-accounts"}))
    assert str(accounts) == ("organizations:ListAccounts (run from the management or a delegated administrator account) "
                             "failed (Boom): no")
    assert not english_words(in_japanese(lambda: error_in_language(accounts)))
    secret = failed(Phrase("aws-action", {"variant": "listing-bucket", "bucket": "b", "prefix": "p?token=t"}))
    assert "token=t" not in str(secret) and "token=t" not in in_japanese(lambda: error_in_language(secret))
    unreachable = translate(BotocoreConnectionError(error="reset"))  # names no endpoint URL
    assert str(unreachable).startswith("cannot reach the AWS endpoint (unknown endpoint): ")
    assert in_japanese(lambda: error_in_language(unreachable)).startswith("AWS のエンドポイント (不明なエンドポイント)")


def test_iac_advice_and_a_policy_of_another_region_are_said_in_japanese_and_english_is_unchanged():
    from tui.aws.discovery import Endpoint
    from tui.aws.rollout import Found, iac_advice
    from tui.policy.catalog import load_catalog
    from tui.policy.regional import _regional_arns, region_mismatch

    endpoint = Endpoint("vpce-1", "eu-west-1", "vpc-1", "com.amazonaws.eu-west-1.s3", "s3", "Gateway", "available",
                        None, True, True, "", "full access")
    stack = Found("111122223333", endpoint, (("aws:cloudformation:stack-name", "net-1"),)).iac_owner
    terraform = Found("111122223333", endpoint, (("ManagedBy", "Terraform"),)).iac_owner
    assert (stack, terraform) == ("CloudFormation stack net-1", "Terraform (tagged)")
    advice = [iac_advice(stack), iac_advice(terraform)]
    assert advice[0] == ("owned by CloudFormation stack net-1: its next update puts the template's PolicyDocument back; put the "
                         "policy in the template (`vpce-wizard generate --format cloudformation`)")
    assert advice[1].startswith("managed by Terraform (tagged): the next `terraform apply` reverts it")
    japanese = [in_japanese(a.localised) for a in advice]
    assert japanese[0].startswith("CloudFormation スタック net-1 が所有しています") and japanese[1].startswith("Terraform (タグ付き) が管理しています")
    assert load_catalog().entries and _regional_arns()
    irish = sorted(arn for arn, regions in _regional_arns().items() if regions == {"eu-west-1"})[:2]
    policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": irish}]}
    mismatch = region_mismatch(policy, "us-east-1")
    assert mismatch == (f"the policy names AWS-owned buckets of eu-west-1 ({irish[0]} and 1 more), not of us-east-1: build each "
                        "region's policy from answers (--answers FILE or --account/--public-bucket flags) instead of one --policy file")
    japanese.append(in_japanese(mismatch.localised))
    assert "ほか 1 個" in japanese[-1]
    assert not any(english_outside_code(text.replace("PolicyDocument", "")) for text in japanese), japanese


SCHEMA_INVALID = [
    {"Version": "2012-10-17", "Foo": 1, "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                                                        "Resource": "*", "Bar": 1, "Baz": 2}]},
    {"Version": "2012-10-17", "Statement": []},
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {}, "Action": "s3:GetObject", "Resource": "*"}]},
    {"Version": "2012-10-17"},
]


def test_json_schema_messages_are_said_in_japanese_and_stay_exactly_jsonschemas_in_english():
    from tui.policy.validator import _schema_validator, validate

    for doc in SCHEMA_INVALID:
        expected = sorted(error.message for error in _schema_validator().iter_errors(doc))
        findings = [f for f in validate(doc) if f.code == "schema"]
        assert sorted(f.message for f in findings) == expected and findings, doc
        assert all(f.params.get("variant") for f in findings), [f.params for f in findings]  # each has its wording
        japanese = [in_japanese(f.localised) for f in findings]
        assert not any(english_words(text) for text in japanese), japanese
    first = [f for f in validate(SCHEMA_INVALID[0]) if f.code == "schema"]
    assert {in_japanese(f.localised) for f in first} == {"ここに置けない要素があります ('Foo' は想定外です)",
                                                         "ここに置けない要素があります ('Bar', 'Baz' は想定外です)"}


def test_skipped_cloudtrail_files_say_why_in_japanese_and_json_keeps_english(tmp_path, capsys, monkeypatch):
    import gzip

    logs = tmp_path / "logs"
    logs.mkdir()
    (logs / "a-truncated.json").write_text('{"Records": [{"eventName": "GetObject"}')
    (logs / "b-array.json").write_text('{"Records": {}}')
    (logs / "c-separator.json").write_text('{"Records": [{}; {}]}')
    (logs / "d-latin1.json").write_bytes(b'{"Records": ["\xe9"]}')
    (logs / "e-broken.json.gz").write_bytes(gzip.compress(b'{"Records": []}')[:12] + b"not deflate data")
    (logs / "f-object.json").write_text("[]")
    argv = ["impact", "--events", str(logs), "--denials"]
    assert main([*argv, "--lang", "en"]) == 0
    english = [line for line in capsys.readouterr().err.splitlines() if line.startswith("warning:")]
    assert main([*argv, "--lang", "ja"]) == 0
    japanese = [line for line in capsys.readouterr().err.splitlines() if line.startswith("警告")]
    assert len(english) == len(japanese) == 6, (english, japanese)
    assert english[1].endswith("skipped: expected the Records array at character 12, found '{'")
    assert english[2].endswith("skipped: expected ',' or ']' between records, found ';'")
    assert japanese[1].endswith("12 文字目に Records 配列 が必要ですが、'{' がありました")
    reasons = [line.split(": ", 2)[-1].partition("展開できません: ")[0] for line in japanese]  # zlib's own words are a value
    assert "展開できません: Error -3" in japanese[4] and not any(english_words(reason) for reason in reasons), reasons
    documents = []
    for language in ("en", "ja"):
        assert main([*argv, "--json", "--lang", language]) == 0
        documents.append(json.loads(capsys.readouterr().out))
    assert documents[0] == documents[1] and "expected ',' or ']' between records, found ';'" in json.dumps(documents[0])


def test_an_unsafe_state_folder_and_a_held_lock_are_said_in_japanese_in_the_outcome(tmp_path, monkeypatch):
    """The outcome's reason quotes the error it met: that error's own words are said in Japanese too."""
    import os

    from tui.aws.apply import PlannedChange, _execute_one
    from tui.aws.backups import endpoint_lock
    from tui.aws.discovery import Endpoint

    endpoint = Endpoint("vpce-0123456789abcdef0", "eu-west-1", "vpc-1", "com.amazonaws.eu-west-1.s3", "s3", "Gateway",
                        "available", None, True, True, "", "full access")
    item = PlannedChange(endpoint, {"Version": "2012-10-17", "Statement": []}, ["+x"])
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    (tmp_path / "vpce-wizard").mkdir(mode=0o700)
    with endpoint_lock(endpoint.id):  # held by "another writer" (this thread) while the outcome waits
        monkeypatch.setattr(endpoint_lock.__wrapped__, "__defaults__", (0.05,))  # wait 50 ms, not 2 minutes
        held = _execute_one(None, item, dry_run=False)
    os.chmod(tmp_path / "vpce-wizard", 0o702)  # noqa: S103 - the unsafe folder under test
    unsafe = _execute_one(None, item, dry_run=False)
    assert held.reason.startswith("cannot lock the endpoint for writing: another vpce-wizard has been writing vpce-0123456789abcdef0 for over 0 s")
    assert unsafe.reason.startswith(f"refusing to use {str(tmp_path / 'vpce-wizard')!r}, someone else could plant backups there: "
                                    "it is writable by others (mode 702)")
    japanese = [in_japanese(held.to_dict)["reason_localised"], in_japanese(unsafe.to_dict)["reason_localised"]]
    assert japanese[0].startswith("書き込みのためにエンドポイントをロックできません: 別の vpce-wizard が 0 秒以上")
    assert "他のユーザーが書き込めます (モード 702)" in japanese[1]
    assert not any(english_outside_code(text) for text in japanese), japanese


@pytest.mark.parametrize("text", [
    '{"waivers": [{"code": "x", "file": "p", "reason": "r", "expires": "2030-02-30"}]}',
    '{"waivers": [{"code": "x", "file": "p", "reason": "r", "expires": "2030-01-01", "by": "me"}]}',
    '{"waivers": [{"code": "x", "file": "p", "endpoint": "vpce-1", "reason": "r", "expires": "2030-01-01"}]}',
    '{"waivers": [{"code": "x", "file": "p", "expires": "2030-01-01"}]}',
    '[]',
])
def test_a_waivers_file_that_is_not_one_is_refused_in_japanese(tmp_path, text):
    from tui.report.waivers import load_waivers

    path = tmp_path / "waivers.json"
    path.write_text(text)
    english, japanese = refused_in_both_languages(lambda: load_waivers(str(path)))
    assert english.startswith(f"waivers file {str(path)!r}: ")
    assert japanese.startswith(f"免除ファイル {str(path)!r}: ")
    keys = r"waivers\[\d+\](\.\w+)?|YYYY-MM-DD|\b(code|file|endpoint|reason|expires)\b"  # the file's keys and paths
    assert not english_outside_code(re.sub(keys, "", japanese)), japanese


def test_an_oversize_policy_a_missing_emulator_and_skipped_records_are_said_in_japanese():
    from test_impact import S3_ONLY, TRUST, fixture_records, s3_policy
    from tui.aws.sandbox import _unavailable
    from tui.policy.answers import Answers
    from tui.policy.builder import build_policy
    from tui.policy.impact import impact_groups
    from tui.report.messages import error_in_language

    accounts = tuple(f"{n:012d}" for n in range(100000000000, 100000000000 + 1500))
    english, japanese = refused_in_both_languages(lambda: build_policy(Answers(accounts=accounts, services=("s3",), region="eu-west-1"), "s3"))
    assert english.startswith("the s3 policy is ") and english.endswith("trust an Organization ID (--org-id) instead of listing accounts")
    assert japanese.startswith("s3 のポリシーは最小化して ")
    missing = _unavailable(None)
    assert str(missing).startswith("the sandbox needs the optional AWS emulator (moto is not installed): pip install")
    said = [japanese, in_japanese(lambda: error_in_language(missing)).partition(": pip")[0].replace("moto ", "")]  # a package name
    good = fixture_records("s3-endpoint.json")[0]
    (source, problem), = impact_groups(s3_policy(), [{**good, "userIdentity": ["not", "an", "object"]}, good], TRUST, S3_ONLY).problems
    assert (source, problem) == ("records", "1 record(s) with fields of the wrong type skipped")
    said.append(in_japanese(problem.localised))
    assert not any(english_outside_code(text) for text in said), said


def test_why_a_rollout_wave_stopped_is_said_in_japanese_and_json_keeps_english():
    from tui.aws.discovery import Endpoint
    from tui.aws.rollout import Found, regressions
    from tui.policy.analysis import Finding, Severity, Witness, describe_caller
    from tui.report.messages import Phrase

    witness = Witness("s3:PutObject", "arn:aws:s3:::b/k", (("aws:PrincipalAccount", "999999999999"),), "Allow")
    finding = Finding(Severity.HIGH, "foreign-writes", {"who": describe_caller(witness), "pattern": "arn:aws:s3:::b/*",
                                                        "action": "s3:PutObject"}, witness)

    def found(*findings):
        return Found("111122223333", Endpoint("vpce-1", "eu-west-1", "vpc-1", "com.amazonaws.eu-west-1.s3", "s3", "Gateway",
                                              "available", None, True, True, "", "open", findings))

    new, = regressions({"vpce-1": found()}, [found(finding)])
    problem = Phrase("wave-problem", {"variant": "target", "target": "111122223333/eu-west-1", "problem": new})
    assert json.dumps(problem) == json.dumps("111122223333/eu-west-1: vpce-1: new high finding foreign-writes: lets account "
                                             "999999999999 write to arn:aws:s3:::b/* (s3:PutObject): an exfiltration path")
    japanese = in_japanese(problem.localised)
    assert japanese.startswith("111122223333/eu-west-1: vpce-1: 重要度「高」の新しい検出結果 foreign-writes: アカウント 999999999999 に")
    assert not english_words(japanese), japanese
    held = in_japanese(Phrase("wave-problem", {"variant": "not-held", "endpoint": "vpce-1"}).localised)
    assert held == "vpce-1: 読み戻すと、計画したポリシーになっていません"


def test_the_org_progress_line_counts_accounts_in_japanese():
    import io

    from tui.aws.fanout import Progress, TargetResult, TargetStatus
    from tui.aws.targets import Target

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    targets = [Target("111122223333", "eu-west-1"), Target("444455556666", "eu-west-1")]
    stream = Terminal()
    progress = Progress(targets, enabled=True, stream=stream)
    in_japanese(lambda: progress(TargetResult(targets[0], TargetStatus.OK)))
    assert stream.getvalue() == "\r  アカウント: 完了 1、失敗 0、残り 1 "


def test_the_sandbox_process_passes_a_worded_failure_on_so_the_wizard_says_it_in_japanese(monkeypatch, capsys):
    from tui.aws import sandbox
    from tui.aws.errors import AwsError
    from tui.report.messages import error_in_language

    def refuse(**_options):
        sandbox.check_port_free(70000)

    monkeypatch.setattr(sandbox, "start_sandbox", refuse)
    monkeypatch.setattr(sandbox, "_share_botocore_models", lambda: None)
    monkeypatch.setattr("sys.stdout", sys.stdout)  # serve_for_parent points sys.stdout at stderr; put it back after
    sandbox.serve_for_parent()
    announced = capsys.readouterr().out.strip()
    with pytest.raises(AwsError) as failed:
        sandbox.EmulatorProcess(None)._announced(announced)
    assert str(failed.value) == "port 70000 is not between 0 and 65535: pick another --port, or leave it out for a free one"
    assert in_japanese(lambda: error_in_language(failed.value)).startswith("ポート 70000 は 0～65535 の範囲にありません")
    with pytest.raises(AwsError) as plain:  # an error that is not worded comes through as its text, as before
        sandbox.EmulatorProcess(None)._announced('{"error": "cannot listen on 127.0.0.1:5000 (Address in use)"}')
    assert str(plain.value) == "cannot listen on 127.0.0.1:5000 (Address in use)"


def test_impact_suggestions_and_undecided_reasons_are_said_in_japanese_and_json_keeps_english(tmp_path, capsys, monkeypatch):
    events = str(Path(__file__).parent / "cloudtrail" / "s3-endpoint.json")
    policy = tmp_path / "s3.json"
    policy.write_text(json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:*",
                                  "Resource": "*", "Condition": {"StringEquals": {"aws:PrincipalAccount": "111122223333"}}}]}))
    hints = {}
    for language in ("en", "ja"):
        for trust in (["--trusted-account", "111122223333"], ["--trusted-org", "o-a1b2c3d4e5"]):
            _, out = run_cli(["impact", "--events", events, "--policy", str(policy), *trust, "--lang", language], capsys, monkeypatch)
            hints.setdefault(language, []).extend(line.split("-> ", 1)[1] for line in out.splitlines() if "-> " in line)
    assert "catalog al2023" in hints["en"] and "unknown: organization of account 111122223333 (pass --org-accounts)" in hints["en"]
    assert "カタログの al2023 を許可する" in hints["ja"] and "不明: アカウント 111122223333 の組織 (--org-accounts を指定してください)" in hints["ja"]
    assert len(hints["en"]) == len(hints["ja"]) >= 4 and not any(english_words(hint) for hint in hints["ja"]), hints["ja"]
    documents = [run_cli(["impact", "--events", events, "--policy", str(policy), "--trusted-org", "o-a1b2c3d4e5", "--json",
                          "--lang", language], capsys, monkeypatch)[1] for language in ("en", "ja")]
    assert documents[0] == documents[1] and "unknown: organization of account" in documents[0]


def test_an_answers_file_is_named_in_japanese_in_its_errors(tmp_path):
    from tui.policy.answers import load_answers

    typo = tmp_path / "answers.json"
    typo.write_text('{"acounts": []}')
    english, japanese = refused_in_both_languages(lambda: load_answers(typo))
    assert english == f"answers file {str(typo)!r} has unknown key(s): 'acounts'"
    assert japanese.startswith(f"回答ファイル {str(typo)!r} ") and not english_words(japanese.replace("'acounts'", "")), japanese

"""Does the token approximation follow its documented rules, and is it stable?"""

import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage

from infralab.llm import count_message_tokens, count_tokens
from infralab.llm._tokens import REPLY_PRIMING_TOKENS, TOKENS_PER_MESSAGE, count_tools_tokens


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", 0),
        ("hello", 1),
        ("abcdef", 1),  # up to six letters is one token
        ("abcdefg", 2),
        ("internationalization", 4),  # 20 letters: 1 + 19 // 6
        ("2026", 2),  # digits in groups of three
        ("123", 1),
        ("1234567", 3),
        ("Hello, world!", 4),
        ("a b c", 3),  # spaces are free
        ("a\n\nb", 3),  # a line break run costs one
        ("naïve", 3),  # non-ASCII letters cost one each: na + ï + ve
        ("order ORD-1042", 5),  # order, ORD, -, 1042 (two digit groups)
    ],
)
def test_count_tokens_rules(text, expected):
    """Does each documented rule give the documented count?"""
    assert count_tokens(text) == expected


def test_count_tokens_rejects_non_strings():
    """Is a non-string a clear TypeError, and None an empty text?"""
    assert count_tokens(None) == 0
    with pytest.raises(TypeError, match="needs a str, got int"):
        count_tokens(42)


def test_huge_text_is_counted_without_the_cache():
    """Is a text over the cache threshold counted exactly like a short one, piece by piece?"""
    unit = "The quick brown fox jumps over 1234 lazy dogs.\n"
    assert count_tokens(unit * 5000) == count_tokens(unit) * 5000


def test_message_overheads():
    """Does a message list cost 4 per message + content + 3 for the reply, like OpenAI's?"""
    one = count_message_tokens([HumanMessage("Hello, world!")])
    assert one == TOKENS_PER_MESSAGE + 4 + REPLY_PRIMING_TOKENS == 11
    two = count_message_tokens([SystemMessage("Be brief."), HumanMessage("Hello, world!")])
    assert two == one + TOKENS_PER_MESSAGE + count_tokens("Be brief.")


def test_message_shapes_agree():
    """Do a LangChain message, a dict, a (role, text) tuple and a str count the same?"""
    text = "Where is my order O10068?"
    expected = count_message_tokens([HumanMessage(text)])
    assert count_message_tokens([{"role": "user", "content": text}]) == expected
    assert count_message_tokens([("user", text)]) == expected
    assert count_message_tokens(text) == expected


def test_tool_calls_names_and_blocks_are_counted():
    """Do tool calls, a name and content blocks add tokens?"""
    plain = count_message_tokens([AIMessage("")])
    with_call = count_message_tokens(
        [
            AIMessage(
                "", tool_calls=[{"name": "lookup_order", "args": {"order_id": "O1"}, "id": "c"}]
            )
        ]
    )
    assert with_call > plain
    named = count_message_tokens([HumanMessage("hi", name="alice")])
    assert named == count_message_tokens([HumanMessage("hi")]) + 1 + count_tokens("alice")
    blocks = count_message_tokens([HumanMessage([{"type": "text", "text": "Hello, world!"}])])
    assert blocks == count_message_tokens([HumanMessage("Hello, world!")])
    tool = count_message_tokens([ToolMessage("42", tool_call_id="c")])
    assert tool == TOKENS_PER_MESSAGE + 1 + REPLY_PRIMING_TOKENS


def test_tools_add_their_schema_text():
    """Do bound tool schemas add their JSON text's tokens?"""
    tools = [{"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}]
    base = count_message_tokens(["hi"])
    assert count_message_tokens(["hi"], tools) == base + count_tools_tokens(tools) > base


def test_bad_message_names_its_index():
    """Does an unsupported message type fail with its position and type?"""
    with pytest.raises(TypeError, match=r"message 1: cannot count tokens of a int"):
        count_message_tokens([HumanMessage("ok"), 7])


texts = st.text(max_size=200)


@given(texts)
def test_at_most_one_token_per_character(text):
    """Is a count between 0 and the number of characters?"""
    assert 0 <= count_tokens(text) <= len(text)


@given(texts, texts)
def test_additive_over_a_space(a, b):
    """Do two texts joined by a space cost what they cost apart (spaces never merge words)?"""
    assert count_tokens(a + " " + b) == count_tokens(a) + count_tokens(b)


@settings(max_examples=5, deadline=None)
@given(st.lists(texts, min_size=1, max_size=5))
def test_same_count_in_another_process(batch):
    """Does a fresh interpreter count the same (no salted hash, no state)?"""
    code = (
        "import json, sys\nfrom infralab.llm import count_tokens\n"
        "print(json.dumps([count_tokens(t) for t in json.load(sys.stdin)]))"
    )
    import json

    out = subprocess.run(
        [sys.executable, "-c", code], input=json.dumps(batch), capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == [count_tokens(t) for t in batch]

"""Chinese text search with field tools and no domain knowledge of its own: jieba cuts
the text (with the words a caller gives as data), synonyms map people's words to the
documents', pypinyin adds each word's toneless pinyin and initials (so a homophone typo,
户口 typed 护口, or the initials hkqc still meet), and bm25s ranks.

    analyzer = Analyzer(words=["户口卡", "集体户"], synonyms={"户口本": "户口簿"})
    index = Index.build(analyzer, [Document("a", [("户口卡借用", 3), ("带学生证", 1)])])
    index.search("借户口卡", k=3)  # [Hit(key="a", score=..., coverage=...)]

jieba's prefix dictionary is cached under the data dir (settings.DATA_DIR, i.e.
TONGBAN_DATA_DIR), never in /tmp, and comes from the dictionary inside the jieba
package: nothing is downloaded."""

from __future__ import annotations

import itertools
import logging
import os
import re
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

_LOCK = threading.Lock()
_TOKENIZERS: dict[str, object] = {}
_ASCII = re.compile(r"[a-z0-9]+")
_HAN = re.compile(r"[\u3400-\u9fff]")
_WORDISH = re.compile(r"[\u3400-\u9fffa-z0-9]")
_HAN_RUN = re.compile(r"[\u3400-\u9fff]+")


def _data_dir() -> Path:
    try:
        from django.conf import settings

        return Path(settings.DATA_DIR)
    except Exception:  # used outside Django (a script): the same variable settings read
        return Path(os.environ.get("TONGBAN_DATA_DIR") or Path.cwd() / "data")


def _jieba(cache_dir: Path | None = None):
    """One jieba tokenizer per cache folder, its prefix dictionary cached there."""
    folder = Path(cache_dir or _data_dir() / "jieba")
    key = str(folder)
    with _LOCK:
        tokenizer = _TOKENIZERS.get(key)
        if tokenizer is None:
            import jieba

            jieba.setLogLevel(logging.WARNING)
            logging.getLogger("bm25s").setLevel(logging.WARNING)
            folder.mkdir(parents=True, exist_ok=True)
            tokenizer = jieba.Tokenizer()
            tokenizer.tmp_dir = str(folder)
            tokenizer.cache_file = "jieba.cache"
            tokenizer.initialize()
            _TOKENIZERS[key] = tokenizer
    return tokenizer


@dataclass
class Analyzer:
    """Cuts text into index terms. `words`: the domain's words jieba must keep whole;
    `synonyms`: a person's word → the documents' word (applied to the words cut, and to
    the text before cutting when the key is more than one word); `stopwords`: words
    that carry no meaning for ranking (question words, particles)."""

    words: Iterable[str] = ()
    synonyms: Mapping[str, str] = field(default_factory=dict)
    stopwords: Iterable[str] = ()
    pinyin: bool = True
    cache_dir: Path | None = None

    def __post_init__(self) -> None:
        self._tokenizer = _jieba(self.cache_dir)
        self.words = tuple(self.words)
        for word in (*self.words, *self.synonyms.values()):
            if len(word) > 1:
                self._tokenizer.add_word(word, freq=200000)
        for word in self.synonyms:
            if len(word) > 1 and _HAN.search(word):
                self._tokenizer.add_word(word, freq=200000)
        self.stopwords = frozenset(self.stopwords)
        # one pass, the longest phrases first (户口本 before 户口), so a replacement is never
        # itself replaced again (不迁户口 → 不落户 must not go on to 不迁入)
        # (a canonical word maps to itself, so 不落户 stays whole when 落户 is a key)
        self._lowered = {**{v.lower(): v for v in self.synonyms.values()},
                         **{k.lower(): v for k, v in self.synonyms.items()}}
        phrases = sorted((k for k in self._lowered if len(k) > 1), key=len, reverse=True)
        # ASCII ones only as whole words: "id" is not mapped inside "idea"
        alternatives = [re.escape(k) if _HAN.search(k) else rf"(?<![a-z]){re.escape(k)}(?![a-z])" for k in phrases]
        self._phrases = re.compile("|".join(alternatives)) if alternatives else None
        self._pinyins: dict[str, list[str]] = {}

    def normalise(self, text: str) -> str:
        text = text.lower()
        # full-width forms (U+FF01–U+FF5E) → ASCII
        text = "".join(chr(ord(c) - 0xFEE0) if "\uff01" <= c <= "\uff5e" else c for c in text)
        if self._phrases is not None:
            # a Chinese phrase is replaced in place (the run of characters stays whole for the
            # pinyin n-grams), an ASCII one set apart
            text = self._phrases.sub(lambda m: self._lowered[m.group(0)] if _HAN.match(m.group(0))
                                     else f" {self._lowered[m.group(0)]} ", text)
        return text

    def words_of(self, text: str, *, search: bool = False) -> list[str]:
        """The meaningful words of `text`, after synonyms, without stopwords; `search`: also
        the shorter words inside long ones (jieba's search mode: 无犯罪记录证明 gives 犯罪, 证明 too)."""
        cut = self._tokenizer.lcut_for_search if search else self._tokenizer.lcut
        found = []
        for word in cut(self.normalise(text)):
            word = word.strip()
            if not word or not _WORDISH.search(word):
                continue
            if not self._phrases or len(word) == 1:  # longer ones were mapped in the text
                word = self._lowered.get(word, word)
            if word in self.stopwords:
                continue
            found.append(word)
        return found

    def _syllables(self, chars: str) -> list[str]:
        kept = self._pinyins.get(chars)
        if kept is None:
            from pypinyin import Style, lazy_pinyin

            kept = [s for s in lazy_pinyin(chars, style=Style.NORMAL, errors="ignore") if s]
            if len(self._pinyins) < 100_000:
                self._pinyins[chars] = kept
        return kept

    def _sound_terms(self, chars: str) -> list[str]:
        """Pinyin n-grams (2–3 syllables, `p:`) and initials n-grams (2–4, `i:`) over a run of
        Chinese characters: a homophone typo (护口) or initials (hkqc) meets the document."""
        syllables = self._syllables(chars)
        terms = []
        for n in (2, 3, 4):
            for i in range(len(syllables) - n + 1):
                gram = syllables[i:i + n]
                if n <= 3:
                    terms.append("p:" + "".join(gram))
                terms.append("i:" + "".join(s[0] for s in gram))
        return terms

    def terms(self, text: str, *, query: bool = False) -> list[str]:
        """Index terms: the words (a document's in search mode, with the words inside long
        ones); the single characters of a Chinese word (`c:`, so a word jieba cut otherwise
        still half meets); pinyin and initials n-grams over the Chinese. ASCII in a query
        may be pinyin or initials: it is asked both ways."""
        words = self.words_of(text, search=not query)
        terms: list[str] = []
        run: list[str] = []
        for word in words:
            if _HAN.search(word):
                terms.append(word)
                if len(word) > 1:
                    terms.extend(f"c:{ch}" for ch in word if _HAN.match(ch))
                run.append(word)
            elif _ASCII.fullmatch(word):
                terms.append(word)
                if query and self.pinyin and word.isalpha():
                    terms += [f"p:{word}", f"i:{word}"]
        if self.pinyin:
            if query:
                terms.extend(self._sound_terms("".join(run)))
            else:
                for chars in _HAN_RUN.findall(self.normalise(text)):
                    terms.extend(self._sound_terms(chars))
        return terms


@dataclass(frozen=True)
class Document:
    key: str
    fields: Sequence[tuple[str, int]]  # (text, weight): the text counted `weight` times


@dataclass(frozen=True)
class Hit:
    key: str
    score: float
    coverage: float  # the share of the query's weight (by IDF) the document holds, 0..1


class Index:
    """A BM25 index over documents; `search` gives scored hits, best first."""

    def __init__(self, analyzer: Analyzer, keys: list[str], retriever, vocab: dict[str, int],
                 doc_terms: list[frozenset[str]], idf: dict[str, float]):
        self.analyzer, self.keys, self._retriever, self._vocab = analyzer, keys, retriever, vocab
        self._doc_terms, self._idf = doc_terms, idf

    @classmethod
    def build(cls, analyzer: Analyzer, documents: Iterable[Document]) -> Index:
        import bm25s

        keys, corpus = [], []
        for doc in documents:
            terms: list[str] = []
            for text, weight in doc.fields:
                if text:
                    terms.extend(analyzer.terms(text) * max(1, weight))
            keys.append(doc.key)
            corpus.append(terms or ["_empty_"])
        if not keys:
            raise ValueError("an index needs at least one document")
        retriever = bm25s.BM25()
        retriever.index(corpus, show_progress=False)
        vocab = retriever.vocab_dict
        doc_terms = [frozenset(terms) for terms in corpus]
        n = len(corpus)
        df: dict[str, int] = {}
        for held in doc_terms:
            for term in held:
                df[term] = df.get(term, 0) + 1
        idf = {term: float(np.log(1 + (n - d + 0.5) / (d + 0.5))) for term, d in df.items()}
        return cls(analyzer, keys, retriever, vocab, doc_terms, idf)

    def __len__(self) -> int:
        return len(self.keys)

    def scores(self, terms: list[str]) -> np.ndarray:
        known = [t for t in terms if t in self._vocab]
        if not known:
            return np.zeros(len(self.keys), dtype=np.float32)
        return self._retriever.get_scores(known)

    def search(self, text: str, *, k: int = 5, terms: list[str] | None = None) -> list[Hit]:
        """The best `k` documents for `text` with a score above zero. `coverage` says how
        much of the query (weighted by IDF; words no document has weigh the most) the
        document holds: the ground for a caller's "not sure"."""
        terms = self.analyzer.terms(text, query=True) if terms is None else terms
        scores = self.scores(terms)
        if not scores.any():
            return []
        top = np.argsort(-scores)[:k]
        unknown = max(self._idf.values(), default=1.0)
        # the words people typed count, not the pinyin forms derived from them
        plain = [t for t in dict.fromkeys(terms) if not t.startswith(("p:", "i:", "c:"))]
        hits = []
        for i in top:
            if scores[i] <= 0:
                break
            hits.append(Hit(self.keys[i], float(scores[i]), self._coverage(plain, terms, self._doc_terms[i],
                                                                           unknown)))
        return hits

    def _coverage(self, plain: list[str], terms: list[str], doc: frozenset[str], unknown: float) -> float:
        total = held = 0.0
        for word in plain:
            weight = self._idf.get(word, unknown)
            total += weight
            if word in doc:
                held += weight
            elif _HAN.search(word) or word.isalpha():
                # a typo or a homophone: the pinyin of the word (or the letters as pinyin/initials)
                # the same sound: every pair of the word's syllables is in the document
                # (护口 meets 户口; 居住证明 does not meet 证明 alone)
                if word.isascii():
                    sounds = any(f in doc for f in (f"p:{word}", f"i:{word}"))
                else:
                    syllables = self.analyzer._syllables(word)
                    pairs = [f"p:{a}{b}" for a, b in itertools.pairwise(syllables)]
                    sounds = bool(pairs) and all(pair in doc for pair in pairs)
                chars = [f"c:{ch}" for ch in word if _HAN.match(ch)]
                if sounds:
                    held += weight * 0.9
                elif chars and sum(c in doc for c in chars) / len(chars) >= 0.5:
                    held += weight * 0.5 * sum(c in doc for c in chars) / len(chars)
        return held / total if total else 0.0

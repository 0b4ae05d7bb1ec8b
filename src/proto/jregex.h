// SPDX-License-Identifier: Apache-2.0
// A small, safe matcher for the Java regular expressions of the AWS service models' "pattern"
// traits. AWS validates a member against its pattern with Java's java.util.regex and whole-input
// matching (Matcher.matches); this module reproduces that for the subset of the syntax the models
// use, measured over the models of tools/gen_models.py (tests/unit/test_proto_regex.c counts
// them):
//   - literals (UTF-8 in the pattern, \uXXXX with surrogate pairs joined, \xHH, \t \n \r \f \e
//     \a, escaped punctuation), '.', which excludes Java's line terminators;
//   - classes [...] with ranges and negation, \d \D \w \W \s \S (ASCII, as Java's defaults),
//     \p{X} / \P{X} for the major Unicode categories L M N P S Z C;
//   - groups (...) and (?:...), alternation, quantifiers * + ? {n} {n,} {n,m} with the lazy
//     '?' suffix (laziness cannot change whether the whole input matches);
//   - anchors ^ $ \A \z \Z, word boundaries \b \B, the inline flag (?i) (ASCII case folding,
//     Java's default), lookahead (?=...) (?!...) and fixed-length lookbehind (?<=...) (?<!...).
// Backreferences, possessive quantifiers, class intersections, \Q..\E and other flags are
// refused at compile time, and callers then skip the check (they accept rather than reject on
// a pattern they cannot evaluate).
//
// Matching is a Thompson/Pike NFA simulation over code points: time O(input x program) with no
// backtracking, memory O(program). Counted repetitions are expanded, so programs are capped at
// JREGEX_MAX_PROGRAM instructions, and each match has a step budget so that a huge input against
// a large program cannot stall a worker.
#ifndef SAGEBOX_JREGEX_H
#define SAGEBOX_JREGEX_H

#include <stddef.h>

#define JREGEX_MAX_PROGRAM 65536
#define JREGEX_STEP_BUDGET (1u << 25)

struct jregex;

// Compiles pattern[0..len). On success stores a new program in *out (free it with jregex_free)
// and returns 0. Returns -1 when the pattern is malformed or uses syntax outside the subset;
// then *out is NULL and *why (when why is not NULL) names the reason as a static string.
int jregex_compile(const char *pattern, size_t len, struct jregex **out, const char **why);

// Reports whether all of s[0..len) (UTF-8) matches re: 1 if it does, 0 if not, -1 when s is not
// valid UTF-8 or the step budget ran out before an answer.
int jregex_match(const struct jregex *re, const char *s, size_t len);

// Frees a compiled program; NULL does nothing.
void jregex_free(struct jregex *re);

#endif

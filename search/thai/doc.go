// Package thai segments Thai text into words for search, and offers the
// segmenter to bleve as the tokenizer "thai".
//
// Thai is written without spaces between words. Segment finds words by
// maximal matching over Thai Character Clusters:
//
//  1. The text is normalised (NFC, a decomposed sara am composed, marks in
//     typing order, zero-width characters dropped); byte offsets still refer
//     to the original text.
//  2. Each run of Thai letters is cut into clusters: a consonant with the
//     vowels and marks written around it, which no word boundary may split
//     (tcc.go).
//  3. Among all ways to cut the run at cluster boundaries into dictionary
//     words and single unknown clusters, dynamic programming picks one with
//     the fewest unknown clusters, then the fewest words. Unlike greedy
//     longest matching, this does not let a long first word swallow the start
//     of the next one.
//  4. A stretch that no dictionary word covers (a name, a transliteration)
//     is emitted one cluster per token, so that the same name in a query,
//     segmented the same way, is found as a phrase.
//
// Other scripts are split at anything that is not a letter, digit or mark;
// digits are numbers (Thai digits become ASCII), letters and digits that
// touch stay one word (ISO9001). ๆ, ฯ and ฯลฯ only separate words.
//
// Dictionaries are not shipped with this package, because of their licences:
// it reads those that Debian installs, at run time. The default is libthai's
// (Debian's libthai-data, LGPL-2.1+, /usr/share/libthai/thbrk.tri, about
// 25,000 words), read directly from its libdatrie file. hunspell-th's
// word list (NECTEC's Lexitron, LGPL, about 51,000 words) also loads, but
// holds many compounds (มหาวิทยาลัยเชียงใหม่, ความร่วมมือ) that would make a
// search for one of their parts miss: measured against ICU's segmentation it
// scores lower (see testdata/measure). Libraries add their own word lists,
// one word a line, for names that neither knows. Never copy these
// dictionaries into the repository.
package thai

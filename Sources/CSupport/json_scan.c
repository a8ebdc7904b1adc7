// The end of a JSON string literal, 16 bytes at a time. Why C: the verifier and the readers find the
// envelope attributes of every stored line by skipping its string literals, and Swift exposes no vector
// compare-and-mask; a byte-at-a-time loop was ~5 % of a verification.
#include "CSupport.h"

#if defined(__x86_64__)
#include <emmintrin.h>
#endif

long tl_json_string_end(const unsigned char *bytes, long start, long end) {
    long index = start + 1;
#if defined(__x86_64__)
    // SSE2 is part of x86-64: no CPU check needed.
    const __m128i quote = _mm_set1_epi8('"');
    const __m128i backslash = _mm_set1_epi8('\\');
    while (index + 16 <= end) {
        const __m128i chunk = _mm_loadu_si128((const __m128i *)(bytes + index));
        const int mask = _mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(chunk, quote), _mm_cmpeq_epi8(chunk, backslash)));
        if (mask == 0) {
            index += 16;
            continue;
        }
        index += __builtin_ctz((unsigned)mask);
        if (bytes[index] == '"') return index + 1;
        index += 2;  // a backslash and the character it escapes
    }
#endif
    while (index < end) {
        if (bytes[index] == '"') return index + 1;
        index += bytes[index] == '\\' ? 2 : 1;
    }
    return -1;
}

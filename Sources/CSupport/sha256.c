// SHA-256 with the x86 SHA extensions where the CPU has them, portable C otherwise. Why here and not
// swift-crypto: every event line is hashed once when written and once per verification, and lines are
// short (~300-600 bytes); swift-crypto's `SHA256` allocates a context object per hash and copies the
// digest out through two wrappers, which cost more than hashing a short line (measured: the verifier spent
// ~60 % of its SHA-256 time outside the compression function). The compression function is the same
// instruction sequence BoringSSL uses.
#include "CSupport.h"
#include <string.h>

#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>
#endif

static const uint32_t K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static const uint32_t initial_state[8] = {
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
};

#define ROTR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

static void blocks_portable(uint32_t state[8], const unsigned char *data, size_t blocks) {
    while (blocks--) {
        uint32_t w[64];
        for (int i = 0; i < 16; i++) {
            w[i] = ((uint32_t)data[4 * i] << 24) | ((uint32_t)data[4 * i + 1] << 16) | ((uint32_t)data[4 * i + 2] << 8) |
                   (uint32_t)data[4 * i + 3];
        }
        for (int i = 16; i < 64; i++) {
            uint32_t s0 = ROTR(w[i - 15], 7) ^ ROTR(w[i - 15], 18) ^ (w[i - 15] >> 3);
            uint32_t s1 = ROTR(w[i - 2], 17) ^ ROTR(w[i - 2], 19) ^ (w[i - 2] >> 10);
            w[i] = w[i - 16] + s0 + w[i - 7] + s1;
        }
        uint32_t a = state[0], b = state[1], c = state[2], d = state[3];
        uint32_t e = state[4], f = state[5], g = state[6], h = state[7];
        for (int i = 0; i < 64; i++) {
            uint32_t t1 = h + (ROTR(e, 6) ^ ROTR(e, 11) ^ ROTR(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i];
            uint32_t t2 = (ROTR(a, 2) ^ ROTR(a, 13) ^ ROTR(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
            h = g;
            g = f;
            f = e;
            e = d + t1;
            d = c;
            c = b;
            b = a;
            a = t1 + t2;
        }
        state[0] += a;
        state[1] += b;
        state[2] += c;
        state[3] += d;
        state[4] += e;
        state[5] += f;
        state[6] += g;
        state[7] += h;
        data += 64;
    }
}

#if defined(__x86_64__)
// Four rounds per step with sha256rnds2 (two rounds each); the message schedule runs three steps ahead
// with sha256msg1/sha256msg2, in four rotating registers.
__attribute__((target("sha,sse4.1,ssse3")))
static void blocks_sha_ni(uint32_t state[8], const unsigned char *data, size_t blocks) {
    const __m128i byte_swap = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
    __m128i tmp = _mm_loadu_si128((const __m128i *)&state[0]);
    __m128i state1 = _mm_loadu_si128((const __m128i *)&state[4]);
    tmp = _mm_shuffle_epi32(tmp, 0xB1);            // CDAB
    state1 = _mm_shuffle_epi32(state1, 0x1B);      // EFGH
    __m128i state0 = _mm_alignr_epi8(tmp, state1, 8);  // ABEF
    state1 = _mm_blend_epi16(state1, tmp, 0xF0);   // CDGH

    while (blocks--) {
        const __m128i abef = state0, cdgh = state1;
        __m128i w[4];
#pragma clang loop unroll(full)
        for (int step = 0; step < 16; step++) {
            if (step < 4) w[step] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(data + 16 * step)), byte_swap);
            __m128i message = _mm_add_epi32(w[step & 3], _mm_loadu_si128((const __m128i *)&K[4 * step]));
            state1 = _mm_sha256rnds2_epu32(state1, state0, message);
            if (step >= 3 && step <= 14) {
                __m128i next = _mm_add_epi32(w[(step + 1) & 3], _mm_alignr_epi8(w[step & 3], w[(step + 3) & 3], 4));
                w[(step + 1) & 3] = _mm_sha256msg2_epu32(next, w[step & 3]);
            }
            message = _mm_shuffle_epi32(message, 0x0E);
            state0 = _mm_sha256rnds2_epu32(state0, state1, message);
            if (step >= 1 && step <= 12) w[(step + 3) & 3] = _mm_sha256msg1_epu32(w[(step + 3) & 3], w[step & 3]);
        }
        state0 = _mm_add_epi32(state0, abef);
        state1 = _mm_add_epi32(state1, cdgh);
        data += 64;
    }

    tmp = _mm_shuffle_epi32(state0, 0x1B);          // FEBA
    state1 = _mm_shuffle_epi32(state1, 0xB1);       // DCHG
    state0 = _mm_blend_epi16(tmp, state1, 0xF0);    // DCBA
    state1 = _mm_alignr_epi8(state1, tmp, 8);       // ABEF
    _mm_storeu_si128((__m128i *)&state[0], state0);
    _mm_storeu_si128((__m128i *)&state[4], state1);
}

static int cpu_has_sha(void) {
    unsigned int a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
    const int ssse3 = (c >> 9) & 1, sse41 = (c >> 19) & 1;
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return 0;
    return ssse3 && sse41 && ((b >> 29) & 1);
}
#endif

typedef void (*blocks_function)(uint32_t state[8], const unsigned char *data, size_t blocks);

static blocks_function choose_blocks(void) {
#if defined(__x86_64__)
    if (cpu_has_sha()) return blocks_sha_ni;
#endif
    return blocks_portable;
}

static void hash(blocks_function blocks, const void *bytes, size_t count, uint8_t out[32]) {
    uint32_t state[8];
    memcpy(state, initial_state, sizeof state);
    const unsigned char *p = count ? (const unsigned char *)bytes : (const unsigned char *)"";
    const size_t whole = count / 64;
    if (whole) blocks(state, p, whole);
    // The padding: the rest, 0x80, zeros, and the length in bits (big-endian) in the last 8 bytes.
    unsigned char tail[128];
    const size_t rest = count - whole * 64;
    memcpy(tail, p + whole * 64, rest);
    tail[rest] = 0x80;
    const size_t tail_bytes = rest + 1 + 8 <= 64 ? 64 : 128;
    memset(tail + rest + 1, 0, tail_bytes - rest - 1);
    const uint64_t bits = (uint64_t)count * 8;
    for (int i = 0; i < 8; i++) tail[tail_bytes - 1 - i] = (unsigned char)(bits >> (8 * i));
    blocks(state, tail, tail_bytes / 64);
    for (int i = 0; i < 8; i++) {
        out[4 * i] = (uint8_t)(state[i] >> 24);
        out[4 * i + 1] = (uint8_t)(state[i] >> 16);
        out[4 * i + 2] = (uint8_t)(state[i] >> 8);
        out[4 * i + 3] = (uint8_t)state[i];
    }
}

void tl_sha256(const void *bytes, size_t count, uint8_t out[32]) {
    static blocks_function chosen = 0;
    blocks_function blocks = __atomic_load_n(&chosen, __ATOMIC_ACQUIRE);
    if (!blocks) {
        blocks = choose_blocks();
        __atomic_store_n(&chosen, blocks, __ATOMIC_RELEASE);
    }
    hash(blocks, bytes, count, out);
}

void tl_sha256_portable(const void *bytes, size_t count, uint8_t out[32]) { hash(blocks_portable, bytes, count, out); }

int tl_sha256_uses_cpu_extensions(void) {
#if defined(__x86_64__)
    return cpu_has_sha();
#else
    return 0;
#endif
}

/* CRC-32C: a slicing-by-8 table path for any CPU and an SSE4.2 path that
 * runs three independent crc32 instruction streams over adjacent blocks and
 * joins them, since one stream is bound by the instruction's latency rather
 * than its throughput. Joining uses "shift by n zero bytes" operators, which
 * are multiplications by x^(8n) modulo the polynomial; for the two block
 * sizes used they are tabulated once. */
#include "kafka/crc32c.h"

#include <pthread.h>
#include <string.h>
#include <zlib.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define CRC32C_X86 1
#include <nmmintrin.h>
#endif

#define POLY 0x82f63b78u /* Castagnoli, bit-reflected */

#define LONG_BLOCK 8192
#define SHORT_BLOCK 256

static uint32_t slice_tab[8][256];
static uint32_t long_shift[4][256];
static uint32_t short_shift[4][256];
static bool hw_ok;
static pthread_once_t init_once = PTHREAD_ONCE_INIT;

/* a * b modulo POLY, both in reflected form (bit 31 is x^0). */
static uint32_t mulmod(uint32_t a, uint32_t b) {
    uint32_t prod = 0;
    for (uint32_t bit = 1u << 31; bit != 0; bit >>= 1) {
        if (a & bit)
            prod ^= b;
        b = (b & 1) ? (b >> 1) ^ POLY : b >> 1;
    }
    return prod;
}

/* x^(8 * nbytes) modulo POLY. */
static uint32_t xpow8n(size_t nbytes) {
    uint32_t result = 1u << 31; /* x^0 */
    uint32_t sq = 1u << 23;     /* x^8 */
    while (nbytes) {
        if (nbytes & 1)
            result = mulmod(result, sq);
        sq = mulmod(sq, sq);
        nbytes >>= 1;
    }
    return result;
}

static void fill_shift(uint32_t tab[4][256], size_t nbytes) {
    uint32_t op = xpow8n(nbytes);
    for (int k = 0; k < 4; k++)
        for (uint32_t n = 0; n < 256; n++)
            tab[k][n] = mulmod(op, n << (8 * k));
}

static inline uint32_t apply_shift(uint32_t tab[4][256], uint32_t crc) {
    return tab[0][crc & 0xff] ^ tab[1][(crc >> 8) & 0xff] ^ tab[2][(crc >> 16) & 0xff] ^
           tab[3][crc >> 24];
}

static void crc32c_init(void) {
    for (uint32_t n = 0; n < 256; n++) {
        uint32_t c = n;
        for (int k = 0; k < 8; k++)
            c = (c & 1) ? (c >> 1) ^ POLY : c >> 1;
        slice_tab[0][n] = c;
    }
    for (uint32_t n = 0; n < 256; n++) {
        uint32_t c = slice_tab[0][n];
        for (int k = 1; k < 8; k++) {
            c = slice_tab[0][c & 0xff] ^ (c >> 8);
            slice_tab[k][n] = c;
        }
    }
    fill_shift(long_shift, LONG_BLOCK);
    fill_shift(short_shift, SHORT_BLOCK);
#ifdef CRC32C_X86
    __builtin_cpu_init();
    hw_ok = __builtin_cpu_supports("sse4.2");
#endif
}

static inline void ensure_init(void) {
    pthread_once(&init_once, crc32c_init);
}

static inline uint64_t load64le(const uint8_t *p) {
    uint64_t v;
    memcpy(&v, p, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    v = __builtin_bswap64(v);
#endif
    return v;
}

static uint32_t portable_raw(uint32_t c, const uint8_t *p, size_t len) {
    while (len && ((uintptr_t)p & 7)) {
        c = slice_tab[0][(c ^ *p++) & 0xff] ^ (c >> 8);
        len--;
    }
    while (len >= 8) {
        uint64_t w = load64le(p) ^ c;
        c = slice_tab[7][w & 0xff] ^ slice_tab[6][(w >> 8) & 0xff] ^
            slice_tab[5][(w >> 16) & 0xff] ^ slice_tab[4][(w >> 24) & 0xff] ^
            slice_tab[3][(w >> 32) & 0xff] ^ slice_tab[2][(w >> 40) & 0xff] ^
            slice_tab[1][(w >> 48) & 0xff] ^ slice_tab[0][w >> 56];
        p += 8;
        len -= 8;
    }
    while (len--)
        c = slice_tab[0][(c ^ *p++) & 0xff] ^ (c >> 8);
    return c;
}

uint32_t kafka_crc32c_portable(uint32_t crc, const void *buf, size_t len) {
    ensure_init();
    return ~portable_raw(~crc, buf, len);
}

#ifdef CRC32C_X86
__attribute__((target("sse4.2"))) static uint32_t hw_raw(uint32_t crc, const uint8_t *p,
                                                         size_t len) {
    uint64_t c0 = crc;
    while (len && ((uintptr_t)p & 7)) {
        c0 = _mm_crc32_u8((uint32_t)c0, *p++);
        len--;
    }
    /* Three streams over adjacent blocks; c0 carries the running CRC. */
    while (len >= 3 * LONG_BLOCK) {
        uint64_t c1 = 0, c2 = 0;
        const uint8_t *end = p + LONG_BLOCK;
        do {
            c0 = _mm_crc32_u64(c0, load64le(p));
            c1 = _mm_crc32_u64(c1, load64le(p + LONG_BLOCK));
            c2 = _mm_crc32_u64(c2, load64le(p + 2 * LONG_BLOCK));
            p += 8;
        } while (p < end);
        c0 = apply_shift(long_shift, (uint32_t)c0) ^ (uint32_t)c1;
        c0 = apply_shift(long_shift, (uint32_t)c0) ^ (uint32_t)c2;
        p += 2 * LONG_BLOCK;
        len -= 3 * LONG_BLOCK;
    }
    while (len >= 3 * SHORT_BLOCK) {
        uint64_t c1 = 0, c2 = 0;
        const uint8_t *end = p + SHORT_BLOCK;
        do {
            c0 = _mm_crc32_u64(c0, load64le(p));
            c1 = _mm_crc32_u64(c1, load64le(p + SHORT_BLOCK));
            c2 = _mm_crc32_u64(c2, load64le(p + 2 * SHORT_BLOCK));
            p += 8;
        } while (p < end);
        c0 = apply_shift(short_shift, (uint32_t)c0) ^ (uint32_t)c1;
        c0 = apply_shift(short_shift, (uint32_t)c0) ^ (uint32_t)c2;
        p += 2 * SHORT_BLOCK;
        len -= 3 * SHORT_BLOCK;
    }
    while (len >= 8) {
        c0 = _mm_crc32_u64(c0, load64le(p));
        p += 8;
        len -= 8;
    }
    while (len--)
        c0 = _mm_crc32_u8((uint32_t)c0, *p++);
    return (uint32_t)c0;
}
#endif

uint32_t kafka_crc32c_hw(uint32_t crc, const void *buf, size_t len) {
    ensure_init();
#ifdef CRC32C_X86
    if (hw_ok)
        return ~hw_raw(~crc, buf, len);
#endif
    return ~portable_raw(~crc, buf, len);
}

bool kafka_crc32c_hw_available(void) {
    ensure_init();
    return hw_ok;
}

const char *kafka_crc32c_impl(void) {
    return kafka_crc32c_hw_available() ? "sse4.2" : "portable";
}

uint32_t kafka_crc32c(uint32_t crc, const void *buf, size_t len) {
    return kafka_crc32c_hw(crc, buf, len);
}

uint32_t kafka_crc32(uint32_t crc, const void *buf, size_t len) {
    return (uint32_t)crc32_z(crc, buf, len);
}

/* Compression codecs of Kafka record batches and legacy messages, each
 * through its Debian library: gzip (zlib), snappy (libsnappy, raw blocks and
 * the snappy-java "xerial" framing), lz4 (liblz4 frames, plus the header
 * checksum that magic-0 writers got wrong, KAFKA-3160) and zstd (libzstd).
 *
 * Decompression never produces more than `limit` bytes: a stream that would
 * fails with KAFKA_ETOOLARGE as soon as the limit is crossed, and memory
 * stays proportional to the output actually produced. Corrupt input fails
 * with KAFKA_ECOMPRESS. On any failure `out` is left as it was. */
#ifndef KAFKA_COMPRESS_H
#define KAFKA_COMPRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kafka/err.h"

/* Codec ids, as stored in the low three bits of batch/message attributes. */
typedef enum kafka_codec {
    KAFKA_CODEC_NONE = 0,
    KAFKA_CODEC_GZIP = 1,
    KAFKA_CODEC_SNAPPY = 2,
    KAFKA_CODEC_LZ4 = 3,
    KAFKA_CODEC_ZSTD = 4,
} kafka_codec_t;

#define KAFKA_CODEC_MASK 0x07
#define KAFKA_CODEC_COUNT 5

/* Kafka's message.max.bytes default; also our default decompression limit. */
#define KAFKA_MAX_MESSAGE_BYTES_DEFAULT 1048588
#define KAFKA_DECOMPRESS_LIMIT_DEFAULT KAFKA_MAX_MESSAGE_BYTES_DEFAULT

/* Library default level for the codec. */
#define KAFKA_LEVEL_DEFAULT (-32768)

/* Compression flags.
 * KAFKA_SNAPPY_RAW: one raw snappy block instead of the snappy-java framing.
 * KAFKA_LZ4_LEGACY_HC: the magic-0 lz4 header checksum (see above); when
 * decompressing, the header checksum is then not checked. */
#define KAFKA_SNAPPY_RAW 0x01u
#define KAFKA_LZ4_LEGACY_HC 0x02u

/* Growable heap buffer. Zero-initialise (KAFKA_BUF_INIT), release with
 * kafka_buf_free. Functions that fill one append after len. */
typedef struct kafka_buf {
    uint8_t *ptr;
    size_t len;
    size_t cap;
} kafka_buf_t;

#define KAFKA_BUF_INIT                                                                             \
    { NULL, 0, 0 }

void kafka_buf_free(kafka_buf_t *b);
/* Make room for `extra` more bytes after len. KAFKA_ENOMEM on failure. */
int kafka_buf_reserve(kafka_buf_t *b, size_t extra);
int kafka_buf_append(kafka_buf_t *b, const void *p, size_t n);

/* "none", "gzip", "snappy", "lz4", "zstd"; NULL for an unknown id. */
const char *kafka_codec_name(int codec);
bool kafka_codec_known(int codec);

/* Compress `len` bytes and append the result to out. KAFKA_EUNSUPPORTED for
 * an unknown codec; codec NONE copies. */
int kafka_compress(int codec, int level, unsigned flags, const void *in, size_t len,
                   kafka_buf_t *out);
/* Decompress and append at most `limit` bytes to out (see above). */
int kafka_decompress(int codec, unsigned flags, const void *in, size_t len, size_t limit,
                     kafka_buf_t *out);

/* Per codec, same contracts. */
int kafka_gzip_compress(int level, const void *in, size_t len, kafka_buf_t *out);
/* Concatenated gzip members are read as one stream; bytes after the last
 * member that do not start another one are ignored (as java.util.zip does). */
int kafka_gzip_decompress(const void *in, size_t len, size_t limit, kafka_buf_t *out);

/* Xerial framing: 8-byte magic 0x82 "SNAPPY" 0x00, int32 version 1, int32
 * compatible version 1, then blocks of int32 big-endian length + raw snappy
 * block (32 KiB of input each). Decompression detects the framing and
 * otherwise reads one raw block. */
int kafka_snappy_compress(unsigned flags, const void *in, size_t len, kafka_buf_t *out);
int kafka_snappy_decompress(const void *in, size_t len, size_t limit, kafka_buf_t *out);

/* One lz4 frame: 64 KiB independent blocks, no content size (old readers
 * reject it). Decompression reads the first frame and ignores what follows,
 * as Kafka does. */
int kafka_lz4_compress(int level, unsigned flags, const void *in, size_t len, kafka_buf_t *out);
int kafka_lz4_decompress(unsigned flags, const void *in, size_t len, size_t limit,
                         kafka_buf_t *out);

/* Decompression handles concatenated frames, skippable frames and frames
 * without a content size (streaming); a declared content size above the
 * limit fails before any work. Windows above 2^27 are refused. */
int kafka_zstd_compress(int level, const void *in, size_t len, kafka_buf_t *out);
int kafka_zstd_decompress(const void *in, size_t len, size_t limit, kafka_buf_t *out);

#endif

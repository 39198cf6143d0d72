/**
 * sharp as every long-running Koma service uses it. Import it from here, not from 'sharp'.
 *
 * libvips keeps an operation cache (by default up to 50 MB, 100 operations) so that repeating an
 * operation on the same input is free. Our services never repeat one — each panel, page and
 * upload is a new image — so the cache only held memory: in `npm run load` the worker's RSS
 * climbed by tens of MB over ten minutes while it filled. Off, memory follows the work.
 */
import sharp from 'sharp';

sharp.cache(false);

export default sharp;

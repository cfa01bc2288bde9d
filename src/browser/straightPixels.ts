/**
 * Straight (not premultiplied) RGBA pixels of an ImageBitmap, read back through WebGL2. A 2D
 * canvas stores premultiplied alpha, so it cannot give back the colour of a pixel whose alpha is
 * below 255 (rounded, and black where alpha is 0); an RGBA8 texture keeps what the bitmap holds.
 * The bitmap goes into a texture attached to a framebuffer and comes back with readPixels: no
 * drawing, so no shader, no blending and no rounding.
 */

/** The one WebGL2 context all reads share, with its texture and framebuffer. */
interface Readback {
  readonly gl: WebGL2RenderingContext;
  readonly texture: WebGLTexture;
  readonly framebuffer: WebGLFramebuffer;
}

// undefined: not tried yet; null: the browser has no WebGL2 on an OffscreenCanvas (asked once).
let shared: Readback | null | undefined;

function readback(): Readback | null {
  if (shared === null || (shared && !shared.gl.isContextLost())) return shared;
  // Browsers cap live WebGL contexts (about 16): one, reused, and a new one only once it is lost.
  const gl = typeof OffscreenCanvas === 'undefined' ? null : new OffscreenCanvas(1, 1).getContext('webgl2', { antialias: false, depth: false, stencil: false, premultipliedAlpha: false });
  const texture = gl?.createTexture();
  const framebuffer = gl?.createFramebuffer();
  if (!gl || !texture || !framebuffer) return (shared = null);
  gl.bindTexture(gl.TEXTURE_2D, texture);
  // An RGBA8 texture is colour-renderable in every WebGL2, so the framebuffer is complete once it has a size.
  gl.texImage2D(gl.TEXTURE_2D, 0, gl.RGBA8, 1, 1, 0, gl.RGBA, gl.UNSIGNED_BYTE, null);
  gl.bindFramebuffer(gl.FRAMEBUFFER, framebuffer);
  gl.framebufferTexture2D(gl.FRAMEBUFFER, gl.COLOR_ATTACHMENT0, gl.TEXTURE_2D, texture, 0);
  return (shared = { gl, texture, framebuffer });
}

/**
 * The bitmap's RGBA bytes, [H, W, 4] top row first, exactly as the bitmap stores them; undefined
 * where WebGL2 cannot give them (no WebGL2 on an OffscreenCanvas, a lost context, an image
 * larger than MAX_TEXTURE_SIZE), and the caller keeps what a 2D canvas gave. Make the bitmap with
 * `premultiplyAlpha: 'none'`: the WebGL spec has ImageBitmap uploads follow the bitmap's own
 * alpha and colour-space options, not the UNPACK_* settings (set here all the same, for
 * browsers that read them).
 *
 * @example
 * const bitmap = await createImageBitmap(blob, { premultiplyAlpha: 'none', colorSpaceConversion: 'none' });
 * const rgba = straightPixels(bitmap, 'ignore'); // Uint8Array(width * height * 4), or undefined
 */
export function straightPixels(bitmap: ImageBitmap, icc: 'ignore' | 'apply'): Uint8Array | undefined {
  const context = readback();
  if (!context) return undefined;
  const { gl } = context;
  const { width, height } = bitmap;
  const largest = gl.getParameter(gl.MAX_TEXTURE_SIZE) as number;
  if (width > largest || height > largest) return undefined;
  gl.bindTexture(gl.TEXTURE_2D, context.texture);
  gl.bindFramebuffer(gl.FRAMEBUFFER, context.framebuffer);
  gl.pixelStorei(gl.UNPACK_PREMULTIPLY_ALPHA_WEBGL, false);
  gl.pixelStorei(gl.UNPACK_FLIP_Y_WEBGL, false);
  gl.pixelStorei(gl.UNPACK_COLORSPACE_CONVERSION_WEBGL, icc === 'ignore' ? gl.NONE : gl.BROWSER_DEFAULT_WEBGL);
  gl.texImage2D(gl.TEXTURE_2D, 0, gl.RGBA8, width, height, 0, gl.RGBA, gl.UNSIGNED_BYTE, bitmap);
  // Texture row 0 is the bitmap's top row (FLIP_Y off), and readPixels starts at row 0: top row first.
  const pixels = new Uint8Array(width * height * 4);
  gl.readPixels(0, 0, width, height, gl.RGBA, gl.UNSIGNED_BYTE, pixels);
  const failed = gl.getError() !== gl.NO_ERROR || gl.isContextLost();
  // Give the image's memory back: the context lives on, its texture need not.
  gl.texImage2D(gl.TEXTURE_2D, 0, gl.RGBA8, 1, 1, 0, gl.RGBA, gl.UNSIGNED_BYTE, null);
  return failed ? undefined : pixels;
}

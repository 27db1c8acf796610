// The overview drawn with WebGL2: every node is one instance of a quad, every edge one instance
// of a thin triangle strip (straight when zoomed out, a cubic curve when zoomed in, bent in the
// vertex shader), so a frame is two draw calls whatever the graph's size. Positions are
// uploaded once per layout; colours, rings and lineage marks once per change of status or
// selection; pan and zoom change three uniforms and upload nothing. Text is not drawn here:
// labels live on a 2D canvas above (labels.ts), for the nodes in view only.

import type { GraphModel, View } from "./model";

/** Per-node style bytes, one record of NODE_STRIDE bytes per node (see nodeStyle.ts). */
export const NODE_STRIDE = 16;

export const FLAG_SELECTED = 1;
export const FLAG_MATCH = 2;
export const FLAG_PICKED = 4;
export const FLAG_GROUP = 8;
export const FLAG_BAR = 16;

const RING_PX = 3; // px of ring around a selected, picked or matching node
const CURVE_SEGMENTS = 12;

const NODE_VS = `#version 300 es
in vec2 a_pos;
in vec4 a_fill;
in vec4 a_stroke;
in vec4 a_bar;
in float a_flags;
uniform vec3 u_view;   // scale, tx, ty (CSS px)
uniform vec2 u_size;   // viewport, CSS px
uniform vec2 u_box;    // node width, height (world)
uniform float u_ring;  // px
out vec2 v_px;
flat out vec2 v_boxpx;
flat out vec4 v_fill;
flat out vec4 v_stroke;
flat out vec4 v_bar;
flat out int v_flags;
void main() {
  int id = gl_VertexID;
  vec2 corner = vec2(float(id == 1 || id == 2 || id == 4), float(id == 2 || id == 4 || id == 5));
  int flags = int(a_flags + 0.5);
  float pad = (flags & 7) != 0 ? u_ring / u_view.x : 0.0;
  vec2 world = a_pos - pad + corner * (u_box + 2.0 * pad);
  vec2 screen = world * u_view.x + u_view.yz;
  vec2 clip = screen / u_size * 2.0 - 1.0;
  gl_Position = vec4(clip.x, -clip.y, 0.0, 1.0);
  v_px = (world - a_pos) * u_view.x;
  v_boxpx = u_box * u_view.x;
  v_fill = a_fill;
  v_stroke = a_stroke;
  v_bar = a_bar;
  v_flags = flags;
}`;

const NODE_FS = `#version 300 es
precision highp float;
in vec2 v_px;
flat in vec2 v_boxpx;
flat in vec4 v_fill;
flat in vec4 v_stroke;
flat in vec4 v_bar;
flat in int v_flags;
uniform float u_scale;
uniform vec4 u_ring_selected;
uniform vec4 u_ring_picked;
uniform vec4 u_ring_match;
uniform vec4 u_status[4];   // M, F, R, - (strokes): a group's status bar
out vec4 colour;
void main() {
  vec2 p = v_px;
  vec2 b = v_boxpx;
  if (p.x < 0.0 || p.y < 0.0 || p.x > b.x || p.y > b.y) {
    if ((v_flags & 1) != 0) colour = u_ring_selected;
    else if ((v_flags & 4) != 0) colour = u_ring_picked;
    else if ((v_flags & 2) != 0) colour = u_ring_match;
    else discard;
    return;
  }
  if (b.y < 3.0) { colour = v_stroke; return; }
  float edge = min(min(p.x, b.x - p.x), min(p.y, b.y - p.y));
  if (edge < 1.0) { colour = v_stroke; return; }
  if ((v_flags & 8) != 0) {
    float inset = 4.0 * u_scale;
    if (abs(edge - inset) < 0.5 && mod(p.x + p.y, 7.0) < 4.0) { colour = v_stroke; return; }
    float barH = clamp(b.y * 0.14, 2.0, 8.0);
    if ((v_flags & 16) != 0 && p.y > b.y - inset - barH && p.y < b.y - inset
        && p.x > inset && p.x < b.x - inset) {
      float f = (p.x - inset) / (b.x - 2.0 * inset);
      colour = f < v_bar.x ? u_status[0] : f < v_bar.y ? u_status[1]
             : f < v_bar.z ? u_status[2] : u_status[3];
      return;
    }
  }
  colour = v_fill;
}`;

const EDGE_VS = `#version 300 es
in vec4 a_edge;      // source port x, y; target port x, y (world)
in float a_mark;     // 0 plain, 1 upstream of the selection, 2 downstream
uniform vec3 u_view;
uniform vec2 u_size;
uniform float u_segments;
uniform float u_curves;
flat out int v_mark;
void main() {
  float t = float(gl_VertexID / 2) / u_segments;
  float side = (gl_VertexID % 2 == 0) ? -1.0 : 1.0;
  vec2 s = a_edge.xy;
  vec2 e = a_edge.zw;
  vec2 p;
  vec2 d;
  if (u_curves > 0.5) {
    float dx = max(24.0, abs(e.x - s.x) / 2.0);
    vec2 c1 = s + vec2(dx, 0.0);
    vec2 c2 = e - vec2(dx, 0.0);
    float u = 1.0 - t;
    p = u * u * u * s + 3.0 * u * u * t * c1 + 3.0 * u * t * t * c2 + t * t * t * e;
    d = 3.0 * u * u * (c1 - s) + 6.0 * u * t * (c2 - c1) + 3.0 * t * t * (e - c2);
  } else {
    p = mix(s, e, t);
    d = e - s;
  }
  float len = length(d);
  vec2 dir = len > 0.0 ? d / len : vec2(1.0, 0.0);
  int mark = int(a_mark + 0.5);
  float width = mark > 0 ? 2.5 : 1.1;
  vec2 screen = p * u_view.x + u_view.yz + vec2(-dir.y, dir.x) * side * width * 0.5;
  vec2 clip = screen / u_size * 2.0 - 1.0;
  gl_Position = vec4(clip.x, -clip.y, mark > 0 ? 0.0 : 0.5, 1.0);
  v_mark = mark;
}`;

const EDGE_FS = `#version 300 es
precision mediump float;
flat in int v_mark;
uniform vec4 u_colours[3];
out vec4 colour;
void main() { colour = u_colours[v_mark]; }`;

function hexColour(hex: string): [number, number, number, number] {
  const n = parseInt(hex.slice(1), 16);
  return [((n >> 16) & 255) / 255, ((n >> 8) & 255) / 255, (n & 255) / 255, 1];
}

function compile(gl: WebGL2RenderingContext, vs: string, fs: string): WebGLProgram {
  const program = gl.createProgram()!;
  for (const [type, source] of [
    [gl.VERTEX_SHADER, vs],
    [gl.FRAGMENT_SHADER, fs],
  ] as const) {
    const shader = gl.createShader(type)!;
    gl.shaderSource(shader, source);
    gl.compileShader(shader);
    if (!gl.getShaderParameter(shader, gl.COMPILE_STATUS)) {
      throw new Error(`graph shader: ${gl.getShaderInfoLog(shader) ?? "does not compile"}`);
    }
    gl.attachShader(program, shader);
  }
  gl.linkProgram(program);
  if (!gl.getProgramParameter(program, gl.LINK_STATUS)) {
    throw new Error(`graph program: ${gl.getProgramInfoLog(program) ?? "does not link"}`);
  }
  return program;
}

export interface GlColours {
  background: string;
  edge: string;
  upstream: string;
  downstream: string;
  selected: string;
  picked: string;
  match: string;
  /** Strokes of M, F, R, - (a group's status bar). */
  status: [string, string, string, string];
}

export class GlRenderer {
  private readonly gl: WebGL2RenderingContext;
  private readonly nodeProgram: WebGLProgram;
  private readonly edgeProgram: WebGLProgram;
  private readonly nodeVao: WebGLVertexArrayObject;
  private readonly edgeVao: WebGLVertexArrayObject;
  private readonly posBuffer: WebGLBuffer;
  private readonly styleBuffer: WebGLBuffer;
  private readonly edgeBuffer: WebGLBuffer;
  private readonly markBuffer: WebGLBuffer;
  private nodeCount = 0;
  private edgeCount = 0;
  private box: [number, number] = [1, 1];
  private readonly nodeUniforms: Record<string, WebGLUniformLocation | null>;
  private readonly edgeUniforms: Record<string, WebGLUniformLocation | null>;

  /** A renderer on `canvas`, or null where WebGL2 is not available (then draw in 2D). */
  static create(canvas: HTMLCanvasElement, colours: GlColours): GlRenderer | null {
    let gl: WebGL2RenderingContext | null = null;
    try {
      gl = canvas.getContext("webgl2", { antialias: false, alpha: false, depth: true });
    } catch {
      gl = null;
    }
    if (!gl) return null;
    try {
      return new GlRenderer(gl, colours);
    } catch (error) {
      console.warn("WebGL graph renderer unavailable:", error);
      return null;
    }
  }

  private constructor(
    gl: WebGL2RenderingContext,
    private readonly colours: GlColours,
  ) {
    this.gl = gl;
    this.nodeProgram = compile(gl, NODE_VS, NODE_FS);
    this.edgeProgram = compile(gl, EDGE_VS, EDGE_FS);
    this.posBuffer = gl.createBuffer()!;
    this.styleBuffer = gl.createBuffer()!;
    this.edgeBuffer = gl.createBuffer()!;
    this.markBuffer = gl.createBuffer()!;

    const attrib = (program: WebGLProgram, name: string) => gl.getAttribLocation(program, name);
    this.nodeVao = gl.createVertexArray()!;
    gl.bindVertexArray(this.nodeVao);
    gl.bindBuffer(gl.ARRAY_BUFFER, this.posBuffer);
    const pos = attrib(this.nodeProgram, "a_pos");
    gl.enableVertexAttribArray(pos);
    gl.vertexAttribPointer(pos, 2, gl.FLOAT, false, 0, 0);
    gl.vertexAttribDivisor(pos, 1);
    gl.bindBuffer(gl.ARRAY_BUFFER, this.styleBuffer);
    for (const [name, size, offset, normalized] of [
      ["a_fill", 4, 0, true],
      ["a_stroke", 4, 4, true],
      ["a_bar", 4, 8, true],
      ["a_flags", 1, 12, false],
    ] as const) {
      const loc = attrib(this.nodeProgram, name);
      gl.enableVertexAttribArray(loc);
      gl.vertexAttribPointer(loc, size, gl.UNSIGNED_BYTE, normalized, NODE_STRIDE, offset);
      gl.vertexAttribDivisor(loc, 1);
    }

    this.edgeVao = gl.createVertexArray()!;
    gl.bindVertexArray(this.edgeVao);
    gl.bindBuffer(gl.ARRAY_BUFFER, this.edgeBuffer);
    const edge = attrib(this.edgeProgram, "a_edge");
    gl.enableVertexAttribArray(edge);
    gl.vertexAttribPointer(edge, 4, gl.FLOAT, false, 0, 0);
    gl.vertexAttribDivisor(edge, 1);
    gl.bindBuffer(gl.ARRAY_BUFFER, this.markBuffer);
    const mark = attrib(this.edgeProgram, "a_mark");
    gl.enableVertexAttribArray(mark);
    gl.vertexAttribPointer(mark, 1, gl.UNSIGNED_BYTE, false, 0, 0);
    gl.vertexAttribDivisor(mark, 1);
    gl.bindVertexArray(null);

    const uniforms = (program: WebGLProgram, names: string[]) =>
      Object.fromEntries(names.map((n) => [n, gl.getUniformLocation(program, n)]));
    this.nodeUniforms = uniforms(this.nodeProgram, [
      "u_view", "u_size", "u_box", "u_ring", "u_scale", "u_ring_selected", "u_ring_picked",
      "u_ring_match", "u_status",
    ]);
    this.edgeUniforms = uniforms(this.edgeProgram, [
      "u_view", "u_size", "u_segments", "u_curves", "u_colours",
    ]);
    gl.useProgram(this.nodeProgram);
    gl.uniform4fv(this.nodeUniforms.u_ring_selected!, hexColour(colours.selected));
    gl.uniform4fv(this.nodeUniforms.u_ring_picked!, hexColour(colours.picked));
    gl.uniform4fv(this.nodeUniforms.u_ring_match!, hexColour(colours.match));
    gl.uniform4fv(this.nodeUniforms.u_status!, colours.status.flatMap(hexColour));
    gl.useProgram(this.edgeProgram);
    gl.uniform4fv(
      this.edgeUniforms.u_colours!,
      [colours.edge, colours.upstream, colours.downstream].flatMap(hexColour),
    );
  }

  get context(): WebGL2RenderingContext {
    return this.gl;
  }

  /** Whether the browser renders WebGL on the CPU (SwiftShader, llvmpipe: no GPU, or
   * Chromium's --disable-gpu). There every instance is shaded in software, which is slower
   * than the 2D canvas's culled, CPU-native drawing. */
  get software(): boolean {
    const gl = this.gl;
    const info = gl.getExtension("WEBGL_debug_renderer_info");
    const name = String(
      info ? gl.getParameter(info.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER),
    );
    return /swiftshader|llvmpipe|softpipe|software|basic render/i.test(name);
  }

  /** Upload a layout: node corners and edge ports (once per layout). */
  setModel(m: GraphModel): void {
    const gl = this.gl;
    const pos = new Float32Array(m.count * 2);
    for (let i = 0; i < m.count; i++) {
      pos[2 * i] = m.x[i]!;
      pos[2 * i + 1] = m.y[i]!;
    }
    gl.bindBuffer(gl.ARRAY_BUFFER, this.posBuffer);
    gl.bufferData(gl.ARRAY_BUFFER, pos, gl.STATIC_DRAW);
    const edges = new Float32Array(m.src.length * 4);
    for (let e = 0; e < m.src.length; e++) {
      const s = m.src[e]!;
      const t = m.dst[e]!;
      edges[4 * e] = m.x[s]! + m.w;
      edges[4 * e + 1] = m.y[s]! + m.h / 2;
      edges[4 * e + 2] = m.x[t]!;
      edges[4 * e + 3] = m.y[t]! + m.h / 2;
    }
    gl.bindBuffer(gl.ARRAY_BUFFER, this.edgeBuffer);
    gl.bufferData(gl.ARRAY_BUFFER, edges, gl.STATIC_DRAW);
    this.nodeCount = m.count;
    this.edgeCount = m.src.length;
    this.box = [m.w, m.h];
    this.setEdgeMarks(null);
  }

  /** Per-node colours and flags (NODE_STRIDE bytes a node). */
  setNodeStyle(style: Uint8Array): void {
    const gl = this.gl;
    gl.bindBuffer(gl.ARRAY_BUFFER, this.styleBuffer);
    gl.bufferData(gl.ARRAY_BUFFER, style, gl.DYNAMIC_DRAW);
  }

  /** Per edge: 0, or 1/2 on the selection's upstream/downstream; null for none. */
  setEdgeMarks(marks: Uint8Array | null): void {
    const gl = this.gl;
    gl.bindBuffer(gl.ARRAY_BUFFER, this.markBuffer);
    gl.bufferData(gl.ARRAY_BUFFER, marks ?? new Uint8Array(this.edgeCount), gl.DYNAMIC_DRAW);
  }

  /** One frame: the canvas's backing store is `width` x `height` CSS px times `dpr`. */
  draw(view: View, width: number, height: number, dpr: number): void {
    const gl = this.gl;
    gl.viewport(0, 0, Math.round(width * dpr), Math.round(height * dpr));
    const bg = hexColour(this.colours.background);
    gl.clearColor(bg[0], bg[1], bg[2], 1);
    gl.clearDepth(1);
    gl.clear(gl.COLOR_BUFFER_BIT | gl.DEPTH_BUFFER_BIT);

    // Edges: plain ones behind the selection's lineage (depth), nodes over both.
    const curves = view.scale >= 0.25;
    const segments = curves ? CURVE_SEGMENTS : 1;
    gl.enable(gl.DEPTH_TEST);
    gl.depthFunc(gl.LEQUAL);
    gl.useProgram(this.edgeProgram);
    gl.uniform3f(this.edgeUniforms.u_view!, view.scale, view.tx, view.ty);
    gl.uniform2f(this.edgeUniforms.u_size!, width, height);
    gl.uniform1f(this.edgeUniforms.u_segments!, segments);
    gl.uniform1f(this.edgeUniforms.u_curves!, curves ? 1 : 0);
    gl.bindVertexArray(this.edgeVao);
    if (this.edgeCount) {
      gl.drawArraysInstanced(gl.TRIANGLE_STRIP, 0, 2 * (segments + 1), this.edgeCount);
    }
    gl.disable(gl.DEPTH_TEST);

    gl.useProgram(this.nodeProgram);
    gl.uniform3f(this.nodeUniforms.u_view!, view.scale, view.tx, view.ty);
    gl.uniform2f(this.nodeUniforms.u_size!, width, height);
    gl.uniform2f(this.nodeUniforms.u_box!, this.box[0], this.box[1]);
    gl.uniform1f(this.nodeUniforms.u_ring!, RING_PX);
    gl.uniform1f(this.nodeUniforms.u_scale!, view.scale);
    gl.bindVertexArray(this.nodeVao);
    if (this.nodeCount) gl.drawArraysInstanced(gl.TRIANGLES, 0, 6, this.nodeCount);
    gl.bindVertexArray(null);
  }

  dispose(): void {
    const gl = this.gl;
    for (const b of [this.posBuffer, this.styleBuffer, this.edgeBuffer, this.markBuffer]) {
      gl.deleteBuffer(b);
    }
    gl.deleteVertexArray(this.nodeVao);
    gl.deleteVertexArray(this.edgeVao);
    gl.deleteProgram(this.nodeProgram);
    gl.deleteProgram(this.edgeProgram);
  }
}

// AXI4 subordinate memory for co-simulation tests.
//
// Models: SIZE_BYTES of byte-addressable storage on a DATA_W-bit AXI4 port with ID_W-bit IDs;
// INCR, FIXED and WRAP bursts of any size up to the bus width, unaligned start addresses and
// write strobes (bytes are written where WSTRB is set); per-beat error responses for two
// configured address ranges (SLVERR_BASE/SLVERR_BYTES answer SLVERR, DECERR_BASE/DECERR_BYTES
// answer DECERR) and DECERR for every address at or above SIZE_BYTES; an error beat neither
// writes nor reads storage (read data is zero), and a write burst's B response is the worst of
// its beats (DECERR over SLVERR over OKAY). Up to QUEUE_DEPTH read requests and write responses
// queue up; with reorder_i set, the newest queued entry whose ID no older entry shares goes
// first, so responses to different IDs come back out of order while responses to one ID stay
// in order (AXI4 ordering rule). stall_i lets a testbench drop AWREADY/WREADY/ARREADY (bits
// 0/1/2) in any cycle, as a busy subordinate may. base_i (a test pin, 0 unless driven) moves
// the whole memory map: storage and error ranges are decoded from the address minus base_i
// (modulo 2^ADDR_W), so a test can put the memory at the top of the address space.
// Does not model: exclusive access, locked transfers, QoS, regions, cache/protection
// attributes (AxCACHE/AxPROT/AxQOS ports accepted and ignored), write data before its address (WREADY waits for AW), read
// or write interleaving, timing of a real SRAM macro (one beat per cycle).
module axi_sram #(
    parameter int unsigned ADDR_W = 64,
    parameter int unsigned DATA_W = 64,
    parameter int unsigned ID_W = 4,
    parameter longint unsigned SIZE_BYTES = 64'h1_0000,
    parameter longint unsigned SLVERR_BASE = 64'h0,
    parameter longint unsigned SLVERR_BYTES = 64'h0,
    parameter longint unsigned DECERR_BASE = 64'h0,
    parameter longint unsigned DECERR_BYTES = 64'h0,
    parameter int unsigned QUEUE_DEPTH = 4
) (
    input logic clk,
    input logic rst_n,
    input logic [2:0] stall_i,  // {ARREADY, WREADY, AWREADY} forced low this cycle
    input logic reorder_i,      // serve queued reads / write responses out of order
    input logic [ADDR_W-1:0] base_i,  // address of storage byte 0

    input  logic [  ID_W-1:0] s_awid,
    input  logic [ADDR_W-1:0] s_awaddr,
    input  logic [       7:0] s_awlen,
    input  logic [       2:0] s_awsize,
    input  logic [       1:0] s_awburst,
    // Memory attributes: accepted and ignored (there for bridges that drive them).
    /* verilator lint_off UNUSEDSIGNAL */
    input  logic [       3:0] s_awcache,
    input  logic [       2:0] s_awprot,
    input  logic [       3:0] s_awqos,
    /* verilator lint_on UNUSEDSIGNAL */
    input  logic              s_awvalid,
    output logic              s_awready,

    input  logic [  DATA_W-1:0] s_wdata,
    input  logic [DATA_W/8-1:0] s_wstrb,
    input  logic                s_wlast,
    input  logic                s_wvalid,
    output logic                s_wready,

    output logic [ID_W-1:0] s_bid,
    output logic [     1:0] s_bresp,
    output logic            s_bvalid,
    input  logic            s_bready,

    input  logic [  ID_W-1:0] s_arid,
    input  logic [ADDR_W-1:0] s_araddr,
    input  logic [       7:0] s_arlen,
    input  logic [       2:0] s_arsize,
    input  logic [       1:0] s_arburst,
    /* verilator lint_off UNUSEDSIGNAL */
    input  logic [       3:0] s_arcache,
    input  logic [       2:0] s_arprot,
    input  logic [       3:0] s_arqos,
    /* verilator lint_on UNUSEDSIGNAL */
    input  logic              s_arvalid,
    output logic              s_arready,

    output logic [  ID_W-1:0] s_rid,
    output logic [DATA_W-1:0] s_rdata,
    output logic [       1:0] s_rresp,
    output logic              s_rlast,
    output logic              s_rvalid,
    input  logic              s_rready
);
  localparam int unsigned STRB_W = DATA_W / 8;
  localparam int unsigned LANE_BITS = $clog2(STRB_W);
  localparam int unsigned WORDS = 32'(SIZE_BYTES / 64'(STRB_W));
  localparam int unsigned WORD_BITS = $clog2(WORDS);
  localparam int unsigned QPTR_W = $clog2(QUEUE_DEPTH + 1);
  localparam int unsigned QIDX_W = $clog2(QUEUE_DEPTH);

  localparam logic [1:0] RESP_OKAY = 2'b00;
  localparam logic [1:0] RESP_SLVERR = 2'b10;
  localparam logic [1:0] RESP_DECERR = 2'b11;
  localparam logic [1:0] BURST_FIXED = 2'b00;
  localparam logic [1:0] BURST_WRAP = 2'b10;

  logic [DATA_W-1:0] mem[WORDS];

  // Response of one beat at offset a from base_i.
  function automatic logic [1:0] beat_resp(input logic [ADDR_W-1:0] a);
    if (64'(a) >= SIZE_BYTES) return RESP_DECERR;
    if (DECERR_BYTES != 0 && 64'(a) >= DECERR_BASE && 64'(a) - DECERR_BASE < DECERR_BYTES)
      return RESP_DECERR;
    if (SLVERR_BYTES != 0 && 64'(a) >= SLVERR_BASE && 64'(a) - SLVERR_BASE < SLVERR_BYTES)
      return RESP_SLVERR;
    return RESP_OKAY;
  endfunction

  // The worse of two responses (DECERR > SLVERR > OKAY; EXOKAY is never produced).
  function automatic logic [1:0] worse(input logic [1:0] a, input logic [1:0] b);
    return (a > b) ? a : b;
  endfunction

  // Address of the beat after the one at a (AXI4 burst address rules).
  function automatic logic [ADDR_W-1:0] next_addr(input logic [ADDR_W-1:0] a,
                                                  input logic [2:0] size, input logic [7:0] len,
                                                  input logic [1:0] burst);
    logic [ADDR_W-1:0] step, aligned, wrap_bytes, wrap_base;
    step = ADDR_W'(1) << size;
    aligned = a & ~(step - 1);
    if (burst == BURST_FIXED) return a;
    if (burst == BURST_WRAP) begin
      wrap_bytes = step * (ADDR_W'(len) + 1);
      wrap_base = a & ~(wrap_bytes - 1);
      if (aligned + step == wrap_base + wrap_bytes) return wrap_base;
    end
    return aligned + step;
  endfunction

  // Word index of an in-range offset from base_i: the byte-lane bits and the bits above the memory size
  // are not needed (out-of-range beats never reach the array).
  /* verilator lint_off UNUSEDSIGNAL */
  function automatic logic [WORD_BITS-1:0] word_of(input logic [ADDR_W-1:0] a);
    return a[LANE_BITS+:WORD_BITS];
  endfunction
  /* verilator lint_on UNUSEDSIGNAL */

  // ---------------------------------------------------------------- write path
  typedef struct packed {
    logic [ID_W-1:0] id;
    logic [1:0] resp;
  } b_entry_t;

  logic aw_active;
  logic [ID_W-1:0] aw_id;
  logic [ADDR_W-1:0] aw_addr;
  logic [7:0] aw_len;
  logic [2:0] aw_size;
  logic [1:0] aw_burst;
  logic [1:0] aw_resp;

  b_entry_t bq[QUEUE_DEPTH];
  logic [QPTR_W-1:0] bq_count;
  logic b_out_valid;
  b_entry_t b_out;

  // Queue slot served next: 0 in order; with reordering, the newest entry whose ID no older
  // entry shares.
  function automatic int unsigned pick_b(input logic [QPTR_W-1:0] count, input logic reorder);
    int unsigned sel;
    logic clash;
    sel = 0;
    if (reorder) begin
      for (int unsigned i = 1; i < QUEUE_DEPTH; i++) begin
        if (QPTR_W'(i) < count) begin
          clash = 1'b0;
          for (int unsigned j = 0; j < i; j++) if (bq[j].id == bq[i].id) clash = 1'b1;
          if (!clash) sel = i;
        end
      end
    end
    return sel;
  endfunction

  wire w_beat = s_wvalid && s_wready;
  wire w_done = w_beat && s_wlast;
  wire b_push = w_done;
  wire b_load = (bq_count != 0) && (!b_out_valid || s_bready);
  wire [ADDR_W-1:0] aw_off = aw_addr - base_i;
  wire [1:0] w_resp = beat_resp(aw_off);

  assign s_awready = !aw_active && (bq_count < QPTR_W'(QUEUE_DEPTH)) && !stall_i[0];
  assign s_wready = aw_active && !stall_i[1];
  assign s_bvalid = b_out_valid;
  assign s_bid = b_out.id;
  assign s_bresp = b_out.resp;

  always_ff @(posedge clk) begin
    if (w_beat && w_resp == RESP_OKAY) begin
      for (int unsigned b = 0; b < STRB_W; b++)
        if (s_wstrb[b]) mem[word_of(aw_off)][8*b+:8] <= s_wdata[8*b+:8];
    end
  end

  always_ff @(posedge clk or negedge rst_n) begin
    if (!rst_n) begin
      aw_active <= 1'b0;
      aw_id <= '0;
      aw_addr <= '0;
      aw_len <= '0;
      aw_size <= '0;
      aw_burst <= '0;
      aw_resp <= RESP_OKAY;
      bq_count <= '0;
      b_out_valid <= 1'b0;
      b_out <= '0;
      for (int unsigned i = 0; i < QUEUE_DEPTH; i++) bq[i] <= '0;
    end else begin
      if (s_awvalid && s_awready) begin
        aw_active <= 1'b1;
        aw_id <= s_awid;
        aw_addr <= s_awaddr;
        aw_len <= s_awlen;
        aw_size <= s_awsize;
        aw_burst <= s_awburst;
        aw_resp <= RESP_OKAY;
      end else if (w_beat) begin
        aw_addr <= next_addr(aw_addr, aw_size, aw_len, aw_burst);
        aw_resp <= worse(aw_resp, w_resp);
        if (s_wlast) aw_active <= 1'b0;
      end

      // Response queue: pop the selected slot into the output register, push the finished
      // write at the end (after the pop has closed the gap).
      begin
        automatic int unsigned sel = pick_b(bq_count, reorder_i);
        automatic logic [QPTR_W-1:0] n = bq_count;
        if (b_load) begin
          b_out <= bq[sel];
          for (int unsigned i = 0; i + 1 < QUEUE_DEPTH; i++)
            if (i >= sel) bq[i] <= bq[i+1];
          n = n - 1'b1;
        end
        if (b_push) bq[QIDX_W'(n)] <= '{id: aw_id, resp: worse(aw_resp, w_resp)};
        bq_count <= n + QPTR_W'(b_push);
      end
      if (b_load) b_out_valid <= 1'b1;
      else if (s_bready) b_out_valid <= 1'b0;
    end
  end

  // ---------------------------------------------------------------- read path
  typedef struct packed {
    logic [ID_W-1:0] id;
    logic [ADDR_W-1:0] addr;
    logic [7:0] len;
    logic [2:0] size;
    logic [1:0] burst;
  } ar_entry_t;

  ar_entry_t arq[QUEUE_DEPTH];
  logic [QPTR_W-1:0] arq_count;
  logic r_active;
  ar_entry_t r_cur;
  logic [7:0] r_beat;

  function automatic int unsigned pick_ar(input logic [QPTR_W-1:0] count, input logic reorder);
    int unsigned sel;
    logic clash;
    sel = 0;
    if (reorder) begin
      for (int unsigned i = 1; i < QUEUE_DEPTH; i++) begin
        if (QPTR_W'(i) < count) begin
          clash = 1'b0;
          for (int unsigned j = 0; j < i; j++) if (arq[j].id == arq[i].id) clash = 1'b1;
          if (!clash) sel = i;
        end
      end
    end
    return sel;
  endfunction

  wire r_beat_done = s_rvalid && s_rready;
  wire r_burst_done = r_beat_done && s_rlast;
  wire r_start = (arq_count != 0) && (!r_active || r_burst_done);
  wire [ADDR_W-1:0] r_off = r_cur.addr - base_i;
  wire [1:0] r_resp = beat_resp(r_off);

  assign s_arready = (arq_count < QPTR_W'(QUEUE_DEPTH)) && !stall_i[2];
  assign s_rvalid = r_active;
  assign s_rid = r_cur.id;
  assign s_rresp = r_resp;
  assign s_rdata = (r_resp == RESP_OKAY) ? mem[word_of(r_off)] : '0;
  assign s_rlast = (r_beat == r_cur.len);

  always_ff @(posedge clk or negedge rst_n) begin
    if (!rst_n) begin
      arq_count <= '0;
      r_active <= 1'b0;
      r_cur <= '0;
      r_beat <= '0;
      for (int unsigned i = 0; i < QUEUE_DEPTH; i++) arq[i] <= '0;
    end else begin
      automatic int unsigned sel = pick_ar(arq_count, reorder_i);
      automatic logic [QPTR_W-1:0] n = arq_count;
      if (r_start) begin
        r_cur <= arq[sel];
        r_beat <= '0;
        for (int unsigned i = 0; i + 1 < QUEUE_DEPTH; i++)
          if (i >= sel) arq[i] <= arq[i+1];
        n = n - 1'b1;
      end else if (r_beat_done) begin
        r_cur.addr <= next_addr(r_cur.addr, r_cur.size, r_cur.len, r_cur.burst);
        r_beat <= r_beat + 8'd1;
      end
      if (s_arvalid && s_arready)
        arq[QIDX_W'(n)] <= '{id: s_arid, addr: s_araddr, len: s_arlen, size: s_arsize, burst: s_arburst};
      arq_count <= n + QPTR_W'(s_arvalid && s_arready);
      if (r_start) r_active <= 1'b1;
      else if (r_burst_done) r_active <= 1'b0;
    end
  end
endmodule

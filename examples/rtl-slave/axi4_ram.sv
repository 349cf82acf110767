// A small AXI4 RAM for the rtl-slave example: a verification engineer's block as it might come,
// with its own clock and reset names (aclk, active-high areset) and a 128-bit data bus.
//
// Models: BYTES of storage on an AXI4 subordinate port (DATA_W data, ADDR_W address, ID_W IDs);
// INCR, FIXED and WRAP bursts of any size up to the bus width, unaligned starts, write strobes.
// One write burst and one read burst at a time (each takes its address, then its beats, one per
// cycle; reads and writes proceed in parallel). Addresses wrap modulo BYTES. Every response is
// OKAY. Does not model: outstanding bursts, exclusive access, AxCACHE/AxPROT/AxQOS (absent).
module axi4_ram #(
    parameter int unsigned DATA_W = 128,
    parameter int unsigned ADDR_W = 32,
    parameter int unsigned ID_W = 4,
    parameter int unsigned BYTES = 4 * 1024 * 1024
) (
    input logic aclk,
    input logic areset,

    input  logic [  ID_W-1:0] s_axi_awid,
    input  logic [ADDR_W-1:0] s_axi_awaddr,
    input  logic [       7:0] s_axi_awlen,
    input  logic [       2:0] s_axi_awsize,
    input  logic [       1:0] s_axi_awburst,
    input  logic              s_axi_awvalid,
    output logic              s_axi_awready,

    input  logic [  DATA_W-1:0] s_axi_wdata,
    input  logic [DATA_W/8-1:0] s_axi_wstrb,
    input  logic                s_axi_wlast,
    input  logic                s_axi_wvalid,
    output logic                s_axi_wready,

    output logic [ID_W-1:0] s_axi_bid,
    output logic [     1:0] s_axi_bresp,
    output logic            s_axi_bvalid,
    input  logic            s_axi_bready,

    input  logic [  ID_W-1:0] s_axi_arid,
    input  logic [ADDR_W-1:0] s_axi_araddr,
    input  logic [       7:0] s_axi_arlen,
    input  logic [       2:0] s_axi_arsize,
    input  logic [       1:0] s_axi_arburst,
    input  logic              s_axi_arvalid,
    output logic              s_axi_arready,

    output logic [  ID_W-1:0] s_axi_rid,
    output logic [DATA_W-1:0] s_axi_rdata,
    output logic [       1:0] s_axi_rresp,
    output logic              s_axi_rlast,
    output logic              s_axi_rvalid,
    input  logic              s_axi_rready
);
  localparam int unsigned LANES = DATA_W / 8;
  localparam int unsigned LANE_BITS = $clog2(LANES);
  localparam int unsigned WORDS = BYTES / LANES;
  localparam int unsigned WORD_BITS = $clog2(WORDS);
  localparam logic [1:0] FIXED = 2'b00, WRAP = 2'b10;

  logic [DATA_W-1:0] mem[WORDS];

  // The address of the beat after `addr` in a burst (AXI4, ARM IHI 0022 section A3.4.1).
  function automatic logic [ADDR_W-1:0] next_addr(input logic [ADDR_W-1:0] addr,
                                                  input logic [2:0] size, input logic [1:0] burst,
                                                  input logic [7:0] len);
    logic [ADDR_W-1:0] step, aligned, span, low;
    step = ADDR_W'(1) << size;
    aligned = addr & ~(step - 1);
    if (burst == FIXED) return addr;
    if (burst == WRAP) begin
      span = step * (ADDR_W'(len) + 1);  // a power of two for a legal WRAP burst
      low = addr & ~(span - 1);
      return low | ((aligned + step) & (span - 1));
    end
    return aligned + step;
  endfunction

  function automatic logic [WORD_BITS-1:0] word_of(input logic [ADDR_W-1:0] addr);
    return addr[LANE_BITS+:WORD_BITS];
  endfunction

  // Write path: AW, then the beats, then B.
  typedef enum logic [1:0] {
    W_IDLE,
    W_DATA,
    W_RESP
  } wstate_t;
  wstate_t ws;
  logic [ADDR_W-1:0] waddr;
  logic [2:0] wsize;
  logic [1:0] wburst;
  logic [7:0] wlen;

  assign s_axi_awready = ws == W_IDLE;
  assign s_axi_wready = ws == W_DATA;
  assign s_axi_bvalid = ws == W_RESP;
  assign s_axi_bresp = 2'b00;

  always_ff @(posedge aclk) begin
    if (areset) begin
      ws <= W_IDLE;
      s_axi_bid <= '0;
      waddr <= '0;
      wsize <= '0;
      wburst <= '0;
      wlen <= '0;
    end else begin
      case (ws)
        W_IDLE:
        if (s_axi_awvalid) begin
          s_axi_bid <= s_axi_awid;
          waddr <= s_axi_awaddr;
          wsize <= s_axi_awsize;
          wburst <= s_axi_awburst;
          wlen <= s_axi_awlen;
          ws <= W_DATA;
        end
        W_DATA:
        if (s_axi_wvalid) begin
          for (int unsigned i = 0; i < LANES; i++)
            if (s_axi_wstrb[i]) mem[word_of(waddr)][8*i+:8] <= s_axi_wdata[8*i+:8];
          waddr <= next_addr(waddr, wsize, wburst, wlen);
          if (s_axi_wlast) ws <= W_RESP;
        end
        W_RESP: if (s_axi_bready) ws <= W_IDLE;
        default: ws <= W_IDLE;
      endcase
    end
  end

  // Read path: AR, then the beats.
  logic reading;
  logic [ADDR_W-1:0] raddr;
  logic [2:0] rsize;
  logic [1:0] rburst;
  logic [7:0] rlen, rleft;

  assign s_axi_arready = !reading;
  assign s_axi_rvalid = reading;
  assign s_axi_rdata = mem[word_of(raddr)];
  assign s_axi_rresp = 2'b00;
  assign s_axi_rlast = reading && rleft == 8'd0;

  always_ff @(posedge aclk) begin
    if (areset) begin
      reading <= 1'b0;
      s_axi_rid <= '0;
      raddr <= '0;
      rsize <= '0;
      rburst <= '0;
      rlen <= '0;
      rleft <= '0;
    end else if (!reading) begin
      if (s_axi_arvalid) begin
        reading <= 1'b1;
        s_axi_rid <= s_axi_arid;
        raddr <= s_axi_araddr;
        rsize <= s_axi_arsize;
        rburst <= s_axi_arburst;
        rlen <= s_axi_arlen;
        rleft <= s_axi_arlen;
      end
    end else if (s_axi_rready) begin
      raddr <= next_addr(raddr, rsize, rburst, rlen);
      rleft <= rleft - 8'd1;
      if (rleft == 8'd0) reading <= 1'b0;
    end
  end
endmodule

// One translated AXI4 path of the iATU (outbound or inbound): requests enter on the s_ port,
// their addresses are looked up in the region table when the request is accepted, and they leave
// on the m_ port with the translated address and the lookup result in AxUSER; W, B and R pass
// through. A request no region claims goes through untranslated (MISS_DECERR = 0, what DWC
// silicon does) or is answered here with DECERR (MISS_DECERR = 1): its write data is taken and
// dropped, a read gets LEN+1 beats of zero data, and the answer waits until every earlier
// request on the path has had its response, so that responses keep AXI order.
//
// Models: a one-entry register slice per address channel (one request every other cycle),
// in-order write data routing (W beats of a request follow its AW), up to 255 outstanding
// requests per direction.
// Does not model: splitting of requests that run past a region's limit (the controller does
// that check), QoS, exclusive access.
module iatu_axi_path #(
    parameter int unsigned ID_W = 4,
    parameter int unsigned DATA_W = 64,
    parameter int unsigned USER_W = 32,
    parameter int unsigned MISS_DECERR = 0
) (
    input logic clk,
    input logic rst_n,

    // Lookup interface to the region table (one lookup for AW, one for AR); *_lookup_en is
    // high in the cycle a request is accepted, the only cycle the result is used.
    output logic aw_lookup_en,
    output logic [63:0] aw_lookup_addr,
    output logic [USER_W-1:0] aw_lookup_user,
    input logic aw_hit,
    input logic [63:0] aw_xlat,
    input logic [USER_W-1:0] aw_result_user,
    output logic ar_lookup_en,
    output logic [63:0] ar_lookup_addr,
    output logic [USER_W-1:0] ar_lookup_user,
    input logic ar_hit,
    input logic [63:0] ar_xlat,
    input logic [USER_W-1:0] ar_result_user,

    input  logic [  ID_W-1:0] s_awid,
    input  logic [      63:0] s_awaddr,
    input  logic [       7:0] s_awlen,
    input  logic [       2:0] s_awsize,
    input  logic [       1:0] s_awburst,
    input  logic [USER_W-1:0] s_awuser,
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
    input  logic [      63:0] s_araddr,
    input  logic [       7:0] s_arlen,
    input  logic [       2:0] s_arsize,
    input  logic [       1:0] s_arburst,
    input  logic [USER_W-1:0] s_aruser,
    input  logic              s_arvalid,
    output logic              s_arready,
    output logic [  ID_W-1:0] s_rid,
    output logic [DATA_W-1:0] s_rdata,
    output logic [       1:0] s_rresp,
    output logic              s_rlast,
    output logic              s_rvalid,
    input  logic              s_rready,

    output logic [  ID_W-1:0] m_awid,
    output logic [      63:0] m_awaddr,
    output logic [       7:0] m_awlen,
    output logic [       2:0] m_awsize,
    output logic [       1:0] m_awburst,
    output logic [USER_W-1:0] m_awuser,
    output logic              m_awvalid,
    input  logic              m_awready,
    output logic [  DATA_W-1:0] m_wdata,
    output logic [DATA_W/8-1:0] m_wstrb,
    output logic                m_wlast,
    output logic                m_wvalid,
    input  logic                m_wready,
    input  logic [ID_W-1:0] m_bid,
    input  logic [     1:0] m_bresp,
    input  logic            m_bvalid,
    output logic            m_bready,
    output logic [  ID_W-1:0] m_arid,
    output logic [      63:0] m_araddr,
    output logic [       7:0] m_arlen,
    output logic [       2:0] m_arsize,
    output logic [       1:0] m_arburst,
    output logic [USER_W-1:0] m_aruser,
    output logic              m_arvalid,
    input  logic              m_arready,
    input  logic [  ID_W-1:0] m_rid,
    input  logic [DATA_W-1:0] m_rdata,
    input  logic [       1:0] m_rresp,
    input  logic              m_rlast,
    input  logic              m_rvalid,
    output logic              m_rready
);
  localparam logic [1:0] RESP_DECERR = 2'b11;
  localparam int unsigned OUTSTANDING_W = 8;
  localparam logic [OUTSTANDING_W-1:0] OUTSTANDING_MAX = '1;
  localparam int unsigned ROUTE_DEPTH = 4;  // accepted write requests whose data is pending
  localparam int unsigned ROUTE_PTR_W = $clog2(ROUTE_DEPTH);

  assign aw_lookup_addr = s_awaddr;
  assign aw_lookup_user = s_awuser;
  assign ar_lookup_addr = s_araddr;
  assign ar_lookup_user = s_aruser;

  // ---------------------------------------------------------------- write requests
  logic aw_q_valid, aw_q_err;
  logic [ID_W-1:0] aw_q_id;
  logic [63:0] aw_q_addr;
  logic [7:0] aw_q_len;
  logic [2:0] aw_q_size;
  logic [1:0] aw_q_burst;
  logic [USER_W-1:0] aw_q_user;
  logic [OUTSTANDING_W-1:0] wr_outstanding;

  // Write-data routing: one entry per accepted AW, in order; 1 = drop the data (DECERR).
  logic [ROUTE_DEPTH-1:0] route_err;
  logic [ROUTE_PTR_W-1:0] route_rd, route_wr;
  logic [ROUTE_PTR_W:0] route_count;

  // Local DECERR write response: waiting for its data and for earlier responses.
  logic werr_pending, werr_data_done;
  logic [ID_W-1:0] werr_id;

  wire aw_miss_err = (MISS_DECERR != 0) && !aw_hit;
  assign s_awready = !aw_q_valid && !werr_pending && (route_count != (ROUTE_PTR_W + 1)'(ROUTE_DEPTH))
                     && (wr_outstanding != OUTSTANDING_MAX);
  wire aw_accept = s_awvalid && s_awready;
  assign aw_lookup_en = aw_accept;
  assign m_awvalid = aw_q_valid && !aw_q_err;
  assign m_awid = aw_q_id;
  assign m_awaddr = aw_q_addr;
  assign m_awlen = aw_q_len;
  assign m_awsize = aw_q_size;
  assign m_awburst = aw_q_burst;
  assign m_awuser = aw_q_user;
  wire aw_sent = m_awvalid && m_awready;

  wire route_nonempty = route_count != '0;
  wire route_drop = route_nonempty && route_err[route_rd];
  assign m_wvalid = route_nonempty && !route_drop && s_wvalid;
  assign m_wdata = s_wdata;
  assign m_wstrb = s_wstrb;
  assign m_wlast = s_wlast;
  assign s_wready = route_nonempty && (route_drop || m_wready);
  wire w_last_done = s_wvalid && s_wready && s_wlast;

  wire werr_b_valid = werr_pending && werr_data_done && (wr_outstanding == '0);
  assign s_bvalid = werr_b_valid || m_bvalid;
  assign s_bid = werr_b_valid ? werr_id : m_bid;
  assign s_bresp = werr_b_valid ? RESP_DECERR : m_bresp;
  assign m_bready = !werr_b_valid && s_bready;
  wire b_from_m = m_bvalid && m_bready;

  always_ff @(posedge clk or negedge rst_n) begin
    if (!rst_n) begin
      aw_q_valid <= 1'b0;
      aw_q_err <= 1'b0;
      aw_q_id <= '0;
      aw_q_addr <= '0;
      aw_q_len <= '0;
      aw_q_size <= '0;
      aw_q_burst <= '0;
      aw_q_user <= '0;
      wr_outstanding <= '0;
      route_err <= '0;
      route_rd <= '0;
      route_wr <= '0;
      route_count <= '0;
      werr_pending <= 1'b0;
      werr_data_done <= 1'b0;
      werr_id <= '0;
    end else begin
      if (aw_accept) begin
        aw_q_valid <= !aw_miss_err;
        aw_q_err <= aw_miss_err;
        aw_q_id <= s_awid;
        aw_q_addr <= aw_xlat;
        aw_q_len <= s_awlen;
        aw_q_size <= s_awsize;
        aw_q_burst <= s_awburst;
        aw_q_user <= aw_result_user;
        route_err[route_wr] <= aw_miss_err;
        route_wr <= route_wr + 1'b1;
        if (aw_miss_err) begin
          werr_pending <= 1'b1;
          werr_data_done <= 1'b0;
          werr_id <= s_awid;
        end
      end else if (aw_sent) begin
        aw_q_valid <= 1'b0;
      end
      if (w_last_done) begin
        route_rd <= route_rd + 1'b1;
        if (route_drop) werr_data_done <= 1'b1;
      end
      route_count <= route_count + (ROUTE_PTR_W + 1)'(aw_accept) - (ROUTE_PTR_W + 1)'(w_last_done);
      wr_outstanding <= wr_outstanding + OUTSTANDING_W'(aw_sent) - OUTSTANDING_W'(b_from_m);
      if (werr_b_valid && s_bready) werr_pending <= 1'b0;
    end
  end

  // ---------------------------------------------------------------- read requests
  logic ar_q_valid;
  logic [ID_W-1:0] ar_q_id;
  logic [63:0] ar_q_addr;
  logic [7:0] ar_q_len;
  logic [2:0] ar_q_size;
  logic [1:0] ar_q_burst;
  logic [USER_W-1:0] ar_q_user;
  logic [OUTSTANDING_W-1:0] rd_outstanding;

  logic rerr_pending;
  logic [ID_W-1:0] rerr_id;
  logic [7:0] rerr_len, rerr_beat;

  wire ar_miss_err = (MISS_DECERR != 0) && !ar_hit;
  assign s_arready = !ar_q_valid && !rerr_pending && (rd_outstanding != OUTSTANDING_MAX);
  wire ar_accept = s_arvalid && s_arready;
  assign ar_lookup_en = ar_accept;
  assign m_arvalid = ar_q_valid;
  assign m_arid = ar_q_id;
  assign m_araddr = ar_q_addr;
  assign m_arlen = ar_q_len;
  assign m_arsize = ar_q_size;
  assign m_arburst = ar_q_burst;
  assign m_aruser = ar_q_user;
  wire ar_sent = m_arvalid && m_arready;

  wire rerr_valid = rerr_pending && (rd_outstanding == '0);
  assign s_rvalid = rerr_valid || m_rvalid;
  assign s_rid = rerr_valid ? rerr_id : m_rid;
  assign s_rdata = rerr_valid ? '0 : m_rdata;
  assign s_rresp = rerr_valid ? RESP_DECERR : m_rresp;
  assign s_rlast = rerr_valid ? (rerr_beat == rerr_len) : m_rlast;
  assign m_rready = !rerr_valid && s_rready;
  wire r_last_from_m = m_rvalid && m_rready && m_rlast;

  always_ff @(posedge clk or negedge rst_n) begin
    if (!rst_n) begin
      ar_q_valid <= 1'b0;
      ar_q_id <= '0;
      ar_q_addr <= '0;
      ar_q_len <= '0;
      ar_q_size <= '0;
      ar_q_burst <= '0;
      ar_q_user <= '0;
      rd_outstanding <= '0;
      rerr_pending <= 1'b0;
      rerr_id <= '0;
      rerr_len <= '0;
      rerr_beat <= '0;
    end else begin
      if (ar_accept && !ar_miss_err) begin
        ar_q_valid <= 1'b1;
        ar_q_id <= s_arid;
        ar_q_addr <= ar_xlat;
        ar_q_len <= s_arlen;
        ar_q_size <= s_arsize;
        ar_q_burst <= s_arburst;
        ar_q_user <= ar_result_user;
      end else if (ar_sent) begin
        ar_q_valid <= 1'b0;
      end
      if (ar_accept && ar_miss_err) begin
        rerr_pending <= 1'b1;
        rerr_id <= s_arid;
        rerr_len <= s_arlen;
        rerr_beat <= '0;
      end else if (rerr_valid && s_rready) begin
        rerr_beat <= rerr_beat + 8'd1;
        if (rerr_beat == rerr_len) rerr_pending <= 1'b0;
      end
      rd_outstanding <= rd_outstanding + OUTSTANDING_W'(ar_sent) - OUTSTANDING_W'(r_last_from_m);
    end
  end
endmodule

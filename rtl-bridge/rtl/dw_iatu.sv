// DWC iATU (internal Address Translation Unit), unrolled programming model, for co-simulation
// against the TLM model (model/dwc/iatu.h).
//
// Models: the unrolled register layout on an APB4 port (a 0x200-byte block per region index,
// outbound at +0x000, inbound at +0x100; CTRL1 at 0x00, CTRL2 0x04, LOWER_BASE 0x08,
// UPPER_BASE 0x0C, LIMIT 0x10, LOWER_TARGET 0x14, UPPER_TARGET 0x18, UPPER_LIMIT 0x20);
// OB_REGIONS outbound and IB_REGIONS inbound regions (registers of regions beyond the count,
// and unused offsets, read 0 and ignore writes); base and target bits below the region
// alignment (2^ALIGN_LOG2) hard-wired to 0 and LIMIT's to 1; UPPER_LIMIT writable up to the
// region limit (2^LIMIT_LOG2); CTRL1 TYPE, INCREASE_REGION_SIZE (limit = UPPER_LIMIT:LIMIT
// within the region limit's span, the bits above it the base's; otherwise UPPER_BASE:LIMIT) and FUNC_NUM [24:20]; CTRL2 ENABLE (reads back at once), BAR_MODE_ENABLE
// with the BAR number, FUNC_NUM_MATCH_EN; every other CTRL1/CTRL2 bit is stored and read back.
// Data paths (iatu_axi_path): outbound, EP-side AXI requests to the aperture (ob_s) leave
// translated on ob_m; inbound, the controller's AXI master requests (ib_s, with the BAR hit,
// BAR size, function number and TLP type in AxUSER) leave translated on ib_m; an inbound
// region matches only requests of its CTRL1.TYPE. AxUSER on ob_m/ib_m carries
// the lookup result (hit, region index, CTRL1 type). A miss passes through untranslated
// (MISS_DECERR = 0) or is answered with DECERR (MISS_DECERR = 1), as dwc.iatu.miss_policy.
// Overlapping enabled regions: the lowest index wins. APB writes with a partial PSTRB are
// answered with PSLVERR (the registers take 32-bit writes only).
// Does not model: the legacy viewport, CFG shift mode, message generation, DMA bypass, TLP
// attribute fields (stored only), the programming-order warnings of the TLM model.
//
// AxUSER layouts (USER_W = 32; constants shared with rtl-bridge/iatu_user.h):
//   ib_s request: [5:0] BAR size log2, [8:6] BAR number, [9] BAR hit, [14:10] function number,
//                 [19:15] TLP header Type field (CTRL1.TYPE encoding: 0 MEM, 2 IO, 4/5 CFG...)
//   ob_m / ib_m:  [0] region hit, [8:1] region index, [13:9] CTRL1 type
module dw_iatu #(
    parameter int unsigned OB_REGIONS = 8,
    parameter int unsigned IB_REGIONS = 8,
    parameter int unsigned ALIGN_LOG2 = 12,
    parameter int unsigned LIMIT_LOG2 = 40,
    parameter int unsigned MISS_DECERR = 0,
    parameter int unsigned ID_W = 4,
    parameter int unsigned DATA_W = 64,
    parameter int unsigned PADDR_W = 19
) (
    input logic clk,
    input logic rst_n,

    // APB4 register port (offsets inside the unrolled iATU space)
    input  logic               psel,
    input  logic               penable,
    input  logic               pwrite,
    input  logic [PADDR_W-1:0] paddr,
    input  logic [       31:0] pwdata,
    input  logic [        3:0] pstrb,
    output logic               pready,
    output logic [       31:0] prdata,
    output logic               pslverr,

    // Outbound: subordinate port (EP CPU side) and manager port (towards TLP generation)
    input  logic [  ID_W-1:0] ob_s_awid,
    input  logic [      63:0] ob_s_awaddr,
    input  logic [       7:0] ob_s_awlen,
    input  logic [       2:0] ob_s_awsize,
    input  logic [       1:0] ob_s_awburst,
    input  logic              ob_s_awvalid,
    output logic              ob_s_awready,
    input  logic [  DATA_W-1:0] ob_s_wdata,
    input  logic [DATA_W/8-1:0] ob_s_wstrb,
    input  logic                ob_s_wlast,
    input  logic                ob_s_wvalid,
    output logic                ob_s_wready,
    output logic [ID_W-1:0] ob_s_bid,
    output logic [     1:0] ob_s_bresp,
    output logic            ob_s_bvalid,
    input  logic            ob_s_bready,
    input  logic [  ID_W-1:0] ob_s_arid,
    input  logic [      63:0] ob_s_araddr,
    input  logic [       7:0] ob_s_arlen,
    input  logic [       2:0] ob_s_arsize,
    input  logic [       1:0] ob_s_arburst,
    input  logic              ob_s_arvalid,
    output logic              ob_s_arready,
    output logic [  ID_W-1:0] ob_s_rid,
    output logic [DATA_W-1:0] ob_s_rdata,
    output logic [       1:0] ob_s_rresp,
    output logic              ob_s_rlast,
    output logic              ob_s_rvalid,
    input  logic              ob_s_rready,

    output logic [  ID_W-1:0] ob_m_awid,
    output logic [      63:0] ob_m_awaddr,
    output logic [       7:0] ob_m_awlen,
    output logic [       2:0] ob_m_awsize,
    output logic [       1:0] ob_m_awburst,
    output logic [      31:0] ob_m_awuser,
    output logic              ob_m_awvalid,
    input  logic              ob_m_awready,
    output logic [  DATA_W-1:0] ob_m_wdata,
    output logic [DATA_W/8-1:0] ob_m_wstrb,
    output logic                ob_m_wlast,
    output logic                ob_m_wvalid,
    input  logic                ob_m_wready,
    input  logic [ID_W-1:0] ob_m_bid,
    input  logic [     1:0] ob_m_bresp,
    input  logic            ob_m_bvalid,
    output logic            ob_m_bready,
    output logic [  ID_W-1:0] ob_m_arid,
    output logic [      63:0] ob_m_araddr,
    output logic [       7:0] ob_m_arlen,
    output logic [       2:0] ob_m_arsize,
    output logic [       1:0] ob_m_arburst,
    output logic [      31:0] ob_m_aruser,
    output logic              ob_m_arvalid,
    input  logic              ob_m_arready,
    input  logic [  ID_W-1:0] ob_m_rid,
    input  logic [DATA_W-1:0] ob_m_rdata,
    input  logic [       1:0] ob_m_rresp,
    input  logic              ob_m_rlast,
    input  logic              ob_m_rvalid,
    output logic              ob_m_rready,

    // Inbound: subordinate port (controller's AXI master side) and manager port (towards SoC)
    input  logic [  ID_W-1:0] ib_s_awid,
    input  logic [      63:0] ib_s_awaddr,
    input  logic [       7:0] ib_s_awlen,
    input  logic [       2:0] ib_s_awsize,
    input  logic [       1:0] ib_s_awburst,
    input  logic [      31:0] ib_s_awuser,
    input  logic              ib_s_awvalid,
    output logic              ib_s_awready,
    input  logic [  DATA_W-1:0] ib_s_wdata,
    input  logic [DATA_W/8-1:0] ib_s_wstrb,
    input  logic                ib_s_wlast,
    input  logic                ib_s_wvalid,
    output logic                ib_s_wready,
    output logic [ID_W-1:0] ib_s_bid,
    output logic [     1:0] ib_s_bresp,
    output logic            ib_s_bvalid,
    input  logic            ib_s_bready,
    input  logic [  ID_W-1:0] ib_s_arid,
    input  logic [      63:0] ib_s_araddr,
    input  logic [       7:0] ib_s_arlen,
    input  logic [       2:0] ib_s_arsize,
    input  logic [       1:0] ib_s_arburst,
    input  logic [      31:0] ib_s_aruser,
    input  logic              ib_s_arvalid,
    output logic              ib_s_arready,
    output logic [  ID_W-1:0] ib_s_rid,
    output logic [DATA_W-1:0] ib_s_rdata,
    output logic [       1:0] ib_s_rresp,
    output logic              ib_s_rlast,
    output logic              ib_s_rvalid,
    input  logic              ib_s_rready,

    output logic [  ID_W-1:0] ib_m_awid,
    output logic [      63:0] ib_m_awaddr,
    output logic [       7:0] ib_m_awlen,
    output logic [       2:0] ib_m_awsize,
    output logic [       1:0] ib_m_awburst,
    output logic [      31:0] ib_m_awuser,
    output logic              ib_m_awvalid,
    input  logic              ib_m_awready,
    output logic [  DATA_W-1:0] ib_m_wdata,
    output logic [DATA_W/8-1:0] ib_m_wstrb,
    output logic                ib_m_wlast,
    output logic                ib_m_wvalid,
    input  logic                ib_m_wready,
    input  logic [ID_W-1:0] ib_m_bid,
    input  logic [     1:0] ib_m_bresp,
    input  logic            ib_m_bvalid,
    output logic            ib_m_bready,
    output logic [  ID_W-1:0] ib_m_arid,
    output logic [      63:0] ib_m_araddr,
    output logic [       7:0] ib_m_arlen,
    output logic [       2:0] ib_m_arsize,
    output logic [       1:0] ib_m_arburst,
    output logic [      31:0] ib_m_aruser,
    output logic              ib_m_arvalid,
    input  logic              ib_m_arready,
    input  logic [  ID_W-1:0] ib_m_rid,
    input  logic [DATA_W-1:0] ib_m_rdata,
    input  logic [       1:0] ib_m_rresp,
    input  logic              ib_m_rlast,
    input  logic              ib_m_rvalid,
    output logic              ib_m_rready
);
  // Register offsets inside a region block (reference section 1.3).
  localparam logic [7:0] REG_CTRL1 = 8'h00;
  localparam logic [7:0] REG_CTRL2 = 8'h04;
  localparam logic [7:0] REG_LOWER_BASE = 8'h08;
  localparam logic [7:0] REG_UPPER_BASE = 8'h0C;
  localparam logic [7:0] REG_LIMIT = 8'h10;
  localparam logic [7:0] REG_LOWER_TARGET = 8'h14;
  localparam logic [7:0] REG_UPPER_TARGET = 8'h18;
  localparam logic [7:0] REG_UPPER_LIMIT = 8'h20;
  localparam int unsigned REGION_SHIFT = 9;  // 0x200 bytes per region index
  localparam int unsigned DIR_BIT = 8;  // inbound block at +0x100
  localparam int unsigned INDEX_W = 8;  // at most 256 regions per direction

  // Bits (reference section 1.4).
  localparam int unsigned CTRL1_TYPE_LSB = 0;
  localparam int unsigned CTRL1_INCREASE_REGION_SIZE = 13;
  localparam int unsigned CTRL1_FUNC_NUM_LSB = 20;
  localparam int unsigned CTRL2_ENABLE = 31;
  localparam int unsigned CTRL2_BAR_MODE = 30;
  localparam int unsigned CTRL2_FUNC_NUM_MATCH = 19;
  localparam int unsigned CTRL2_BAR_LSB = 8;

  // AxUSER fields.
  localparam int unsigned USER_BAR_SIZE_LSB = 0;
  localparam int unsigned USER_BAR_LSB = 6;
  localparam int unsigned USER_BAR_HIT = 9;
  localparam int unsigned USER_FUNC_LSB = 10;
  localparam int unsigned USER_TLP_TYPE_LSB = 15;
  localparam int unsigned USER_RESULT_HIT = 0;
  localparam int unsigned USER_RESULT_INDEX_LSB = 1;
  localparam int unsigned USER_RESULT_TYPE_LSB = 9;

  localparam logic [31:0] ALIGN_ONES = 32'((64'd1 << ALIGN_LOG2) - 1);
  localparam logic [31:0] UPPER_LIMIT_MASK = 32'((64'd1 << (LIMIT_LOG2 - 32)) - 1);

  // ---------------------------------------------------------------- registers
  // One array per register, indexed by slot: outbound region i at slot i, inbound region i at
  // slot OB_REGIONS + i, so that both directions share the register decode, the reset and the
  // lookup code. A write updates one word, and nothing is recomputed from the registers on a
  // clock edge (the lookups read them only while they search). A whole-region struct per index
  // made the Verilated model copy and decode every region on every edge.
  localparam int unsigned SLOTS = OB_REGIONS + IB_REGIONS;
  localparam int unsigned SLOT_W = $clog2(SLOTS);
  logic [31:0] r_ctrl1[SLOTS], r_ctrl2[SLOTS], r_lower_base[SLOTS], r_upper_base[SLOTS],
      r_lower_limit[SLOTS], r_lower_target[SLOTS], r_upper_target[SLOTS], r_upper_limit[SLOTS];

  wire [INDEX_W-1:0] reg_index = INDEX_W'(paddr >> REGION_SHIFT);
  wire reg_inbound = paddr[DIR_BIT];
  wire [7:0] reg_offset = {1'b0, paddr[6:0]};
  // Offsets 0x80..0xFF of a block decode to nothing (paddr[7] set).
  wire reg_in_block = !paddr[7] && ((paddr >> REGION_SHIFT) < PADDR_W'(256));
  wire reg_exists = reg_in_block &&
      (reg_inbound ? (32'(reg_index) < IB_REGIONS) : (32'(reg_index) < OB_REGIONS));
  // The slot a register access addresses (meaningful when reg_exists).
  wire [SLOT_W-1:0] reg_slot = SLOT_W'(32'(reg_index) + (reg_inbound ? OB_REGIONS : 0));

  wire apb_access = psel && penable;
  wire apb_bad_strobe = pwrite && pstrb != 4'hF;
  assign pready = 1'b1;
  assign pslverr = apb_access && apb_bad_strobe;

  always_comb begin
    prdata = 32'h0;
    if (psel && !pwrite && reg_exists) begin
      case (reg_offset)
        REG_CTRL1: prdata = r_ctrl1[reg_slot];
        REG_CTRL2: prdata = r_ctrl2[reg_slot];
        REG_LOWER_BASE: prdata = r_lower_base[reg_slot];
        REG_UPPER_BASE: prdata = r_upper_base[reg_slot];
        REG_LIMIT: prdata = r_lower_limit[reg_slot];
        REG_LOWER_TARGET: prdata = r_lower_target[reg_slot];
        REG_UPPER_TARGET: prdata = r_upper_target[reg_slot];
        REG_UPPER_LIMIT: prdata = r_upper_limit[reg_slot];
        default: prdata = 32'h0;
      endcase
    end
  end

  wire reg_write = apb_access && pwrite && !apb_bad_strobe && reg_exists;

  always_ff @(posedge clk or negedge rst_n) begin
    if (!rst_n) begin
      for (int unsigned i = 0; i < SLOTS; i++) begin
        r_ctrl1[i] <= '0;
        r_ctrl2[i] <= '0;
        r_lower_base[i] <= '0;
        r_upper_base[i] <= '0;
        r_lower_limit[i] <= ALIGN_ONES;
        r_lower_target[i] <= '0;
        r_upper_target[i] <= '0;
        r_upper_limit[i] <= '0;
      end
    end else if (reg_write) begin
      case (reg_offset)
        REG_CTRL1: r_ctrl1[reg_slot] <= pwdata;
        REG_CTRL2: r_ctrl2[reg_slot] <= pwdata;
        REG_LOWER_BASE: r_lower_base[reg_slot] <= pwdata & ~ALIGN_ONES;
        REG_UPPER_BASE: r_upper_base[reg_slot] <= pwdata;
        REG_LIMIT: r_lower_limit[reg_slot] <= pwdata | ALIGN_ONES;
        REG_LOWER_TARGET: r_lower_target[reg_slot] <= pwdata & ~ALIGN_ONES;
        REG_UPPER_TARGET: r_upper_target[reg_slot] <= pwdata;
        REG_UPPER_LIMIT: r_upper_limit[reg_slot] <= pwdata & UPPER_LIMIT_MASK;
        default: ;
      endcase
    end
  end

  // ---------------------------------------------------------------- lookups and paths
  // Four lookups: outbound AW/AR, inbound AW/AR.
  logic lk_en[4];
  logic [63:0] lk_addr[4], lk_xlat[4];
  logic [31:0] lk_user[4], lk_result[4];
  logic lk_hit[4];
  logic [INDEX_W-1:0] lk_index[4];
  logic [4:0] lk_type[4];

  // Does one region (its registers) claim a request, and where to? Matching as the DWC iATU
  // does it: enabled, base <= addr <= limit (inclusive); inbound regions match only a request
  // whose TLP Type equals their CTRL1.TYPE; inbound regions with BAR_MODE_ENABLE match on the
  // BAR number instead (and translate to target + offset inside the BAR), and with
  // FUNC_NUM_MATCH_EN also on the function number. CFG shift mode and message regions are not
  // modelled (the type is reported, the address translated as for memory).
  typedef struct packed {
    logic hit;
    logic [63:0] addr;
  } region_match_t;
  function automatic region_match_t region_match(
      input bit inbound, input logic [31:0] ctrl1, input logic [31:0] ctrl2,
      input logic [31:0] lower_base, input logic [31:0] upper_base,
      input logic [31:0] lower_limit, input logic [31:0] lower_target,
      input logic [31:0] upper_target, input logic [31:0] upper_limit, input logic [63:0] addr,
      input logic [31:0] user);
    region_match_t m;
    logic [63:0] base = {upper_base, lower_base};
    // Without INCREASE_REGION_SIZE the limit is UPPER_BASE:LIMIT. With it, UPPER_LIMIT:LIMIT
    // within a span of 2^LIMIT_LOG2 bytes; the bits above are the base's (Linux
    // dw_pcie_prog_*_atu: (limit & ~region_limit) == (base & ~region_limit)).
    logic [63:0] span = (64'd1 << LIMIT_LOG2) - 64'd1;
    logic [63:0] limit = ctrl1[CTRL1_INCREASE_REGION_SIZE] ?
        ((base & ~span) | ({upper_limit, lower_limit} & span)) : {upper_base, lower_limit};
    logic [63:0] target = {upper_target, lower_target};
    logic [63:0] bar_offset = addr & ((64'd1 << user[USER_BAR_SIZE_LSB+:6]) - 64'd1);
    logic func_ok = !ctrl2[CTRL2_FUNC_NUM_MATCH] ||
        ctrl1[CTRL1_FUNC_NUM_LSB+:5] == user[USER_FUNC_LSB+:5];
    m.hit = 1'b0;
    m.addr = addr;
    if (ctrl2[CTRL2_ENABLE] &&
        (!inbound || ctrl1[CTRL1_TYPE_LSB+:5] == user[USER_TLP_TYPE_LSB+:5])) begin
      if (inbound && ctrl2[CTRL2_BAR_MODE]) begin
        if (user[USER_BAR_HIT] && ctrl2[CTRL2_BAR_LSB+:3] == user[USER_BAR_LSB+:3] && func_ok)
        begin
          m.hit = 1'b1;
          m.addr = target + bar_offset;
        end
      end else if (addr >= base && addr <= limit && (!inbound || func_ok)) begin
        m.hit = 1'b1;
        m.addr = target + (addr - base);
      end
    end
    return m;
  endfunction

  // The lookups search the table only while lk_en is high (the cycle their path accepts a
  // request, the only cycle the result is used); otherwise they read as a miss. Same results,
  // and a Verilated model that does not search every region on every evaluation. Highest index
  // first, so that the lowest matching index is the one left standing.
  for (genvar k = 0; k < 4; k++) begin : g_lookup
    // Lookups 0 and 1 search the outbound slots, 2 and 3 the inbound ones.
    localparam bit INBOUND = k >= 2;
    localparam int FIRST = INBOUND ? int'(OB_REGIONS) : 0;
    localparam int COUNT = INBOUND ? int'(IB_REGIONS) : int'(OB_REGIONS);
    always_comb begin
      region_match_t m;
      m = '0;
      lk_hit[k] = 1'b0;
      lk_index[k] = '0;
      lk_type[k] = '0;
      lk_xlat[k] = lk_addr[k];
      if (lk_en[k]) begin
        for (int i = COUNT - 1; i >= 0; i--) begin
          m = region_match(INBOUND, r_ctrl1[FIRST+i], r_ctrl2[FIRST+i], r_lower_base[FIRST+i],
                           r_upper_base[FIRST+i], r_lower_limit[FIRST+i], r_lower_target[FIRST+i],
                           r_upper_target[FIRST+i], r_upper_limit[FIRST+i], lk_addr[k],
                           lk_user[k]);
          if (m.hit) begin
            lk_hit[k] = 1'b1;
            lk_index[k] = INDEX_W'(i);
            lk_type[k] = r_ctrl1[FIRST+i][CTRL1_TYPE_LSB+:5];
            lk_xlat[k] = m.addr;
          end
        end
      end
    end
    always_comb begin
      lk_result[k] = 32'h0;
      lk_result[k][USER_RESULT_HIT] = lk_hit[k];
      lk_result[k][USER_RESULT_INDEX_LSB+:INDEX_W] = lk_index[k];
      lk_result[k][USER_RESULT_TYPE_LSB+:5] = lk_type[k];
    end
  end

  // Outbound requests carry no sideband of their own.
  /* verilator lint_off PINCONNECTEMPTY */
  iatu_axi_path #(
      .ID_W(ID_W),
      .DATA_W(DATA_W),
      .USER_W(32),
      .MISS_DECERR(MISS_DECERR)
  ) u_ob (
      .clk,
      .rst_n,
      .aw_lookup_en(lk_en[0]),
      .aw_lookup_addr(lk_addr[0]),
      .aw_lookup_user(),
      .aw_hit(lk_hit[0]),
      .aw_xlat(lk_xlat[0]),
      .aw_result_user(lk_result[0]),
      .ar_lookup_en(lk_en[1]),
      .ar_lookup_addr(lk_addr[1]),
      .ar_lookup_user(),
      .ar_hit(lk_hit[1]),
      .ar_xlat(lk_xlat[1]),
      .ar_result_user(lk_result[1]),
      .s_awid(ob_s_awid),
      .s_awaddr(ob_s_awaddr),
      .s_awlen(ob_s_awlen),
      .s_awsize(ob_s_awsize),
      .s_awburst(ob_s_awburst),
      .s_awuser(32'h0),
      .s_awvalid(ob_s_awvalid),
      .s_awready(ob_s_awready),
      .s_wdata(ob_s_wdata),
      .s_wstrb(ob_s_wstrb),
      .s_wlast(ob_s_wlast),
      .s_wvalid(ob_s_wvalid),
      .s_wready(ob_s_wready),
      .s_bid(ob_s_bid),
      .s_bresp(ob_s_bresp),
      .s_bvalid(ob_s_bvalid),
      .s_bready(ob_s_bready),
      .s_arid(ob_s_arid),
      .s_araddr(ob_s_araddr),
      .s_arlen(ob_s_arlen),
      .s_arsize(ob_s_arsize),
      .s_arburst(ob_s_arburst),
      .s_aruser(32'h0),
      .s_arvalid(ob_s_arvalid),
      .s_arready(ob_s_arready),
      .s_rid(ob_s_rid),
      .s_rdata(ob_s_rdata),
      .s_rresp(ob_s_rresp),
      .s_rlast(ob_s_rlast),
      .s_rvalid(ob_s_rvalid),
      .s_rready(ob_s_rready),
      .m_awid(ob_m_awid),
      .m_awaddr(ob_m_awaddr),
      .m_awlen(ob_m_awlen),
      .m_awsize(ob_m_awsize),
      .m_awburst(ob_m_awburst),
      .m_awuser(ob_m_awuser),
      .m_awvalid(ob_m_awvalid),
      .m_awready(ob_m_awready),
      .m_wdata(ob_m_wdata),
      .m_wstrb(ob_m_wstrb),
      .m_wlast(ob_m_wlast),
      .m_wvalid(ob_m_wvalid),
      .m_wready(ob_m_wready),
      .m_bid(ob_m_bid),
      .m_bresp(ob_m_bresp),
      .m_bvalid(ob_m_bvalid),
      .m_bready(ob_m_bready),
      .m_arid(ob_m_arid),
      .m_araddr(ob_m_araddr),
      .m_arlen(ob_m_arlen),
      .m_arsize(ob_m_arsize),
      .m_arburst(ob_m_arburst),
      .m_aruser(ob_m_aruser),
      .m_arvalid(ob_m_arvalid),
      .m_arready(ob_m_arready),
      .m_rid(ob_m_rid),
      .m_rdata(ob_m_rdata),
      .m_rresp(ob_m_rresp),
      .m_rlast(ob_m_rlast),
      .m_rvalid(ob_m_rvalid),
      .m_rready(ob_m_rready)
  );
  /* verilator lint_on PINCONNECTEMPTY */
  assign lk_user[0] = 32'h0;
  assign lk_user[1] = 32'h0;

  iatu_axi_path #(
      .ID_W(ID_W),
      .DATA_W(DATA_W),
      .USER_W(32),
      .MISS_DECERR(MISS_DECERR)
  ) u_ib (
      .clk,
      .rst_n,
      .aw_lookup_en(lk_en[2]),
      .aw_lookup_addr(lk_addr[2]),
      .aw_lookup_user(lk_user[2]),
      .aw_hit(lk_hit[2]),
      .aw_xlat(lk_xlat[2]),
      .aw_result_user(lk_result[2]),
      .ar_lookup_en(lk_en[3]),
      .ar_lookup_addr(lk_addr[3]),
      .ar_lookup_user(lk_user[3]),
      .ar_hit(lk_hit[3]),
      .ar_xlat(lk_xlat[3]),
      .ar_result_user(lk_result[3]),
      .s_awid(ib_s_awid),
      .s_awaddr(ib_s_awaddr),
      .s_awlen(ib_s_awlen),
      .s_awsize(ib_s_awsize),
      .s_awburst(ib_s_awburst),
      .s_awuser(ib_s_awuser),
      .s_awvalid(ib_s_awvalid),
      .s_awready(ib_s_awready),
      .s_wdata(ib_s_wdata),
      .s_wstrb(ib_s_wstrb),
      .s_wlast(ib_s_wlast),
      .s_wvalid(ib_s_wvalid),
      .s_wready(ib_s_wready),
      .s_bid(ib_s_bid),
      .s_bresp(ib_s_bresp),
      .s_bvalid(ib_s_bvalid),
      .s_bready(ib_s_bready),
      .s_arid(ib_s_arid),
      .s_araddr(ib_s_araddr),
      .s_arlen(ib_s_arlen),
      .s_arsize(ib_s_arsize),
      .s_arburst(ib_s_arburst),
      .s_aruser(ib_s_aruser),
      .s_arvalid(ib_s_arvalid),
      .s_arready(ib_s_arready),
      .s_rid(ib_s_rid),
      .s_rdata(ib_s_rdata),
      .s_rresp(ib_s_rresp),
      .s_rlast(ib_s_rlast),
      .s_rvalid(ib_s_rvalid),
      .s_rready(ib_s_rready),
      .m_awid(ib_m_awid),
      .m_awaddr(ib_m_awaddr),
      .m_awlen(ib_m_awlen),
      .m_awsize(ib_m_awsize),
      .m_awburst(ib_m_awburst),
      .m_awuser(ib_m_awuser),
      .m_awvalid(ib_m_awvalid),
      .m_awready(ib_m_awready),
      .m_wdata(ib_m_wdata),
      .m_wstrb(ib_m_wstrb),
      .m_wlast(ib_m_wlast),
      .m_wvalid(ib_m_wvalid),
      .m_wready(ib_m_wready),
      .m_bid(ib_m_bid),
      .m_bresp(ib_m_bresp),
      .m_bvalid(ib_m_bvalid),
      .m_bready(ib_m_bready),
      .m_arid(ib_m_arid),
      .m_araddr(ib_m_araddr),
      .m_arlen(ib_m_arlen),
      .m_arsize(ib_m_arsize),
      .m_arburst(ib_m_arburst),
      .m_aruser(ib_m_aruser),
      .m_arvalid(ib_m_arvalid),
      .m_arready(ib_m_arready),
      .m_rid(ib_m_rid),
      .m_rdata(ib_m_rdata),
      .m_rresp(ib_m_rresp),
      .m_rlast(ib_m_rlast),
      .m_rvalid(ib_m_rvalid),
      .m_rready(ib_m_rready)
  );
endmodule

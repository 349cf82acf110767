// Address lookup of the iATU: which enabled region claims an address, and the translated
// address. Combinational; one instance per address channel. The table is searched only while
// `en` is high (the cycle its path accepts a request, the only cycle the result is used); with
// `en` low the outputs read as a miss. Same results, and a Verilated model that does not search
// eight regions on every evaluation.
//
// Models: outbound (INBOUND = 0) and inbound (INBOUND = 1) matching exactly as the DWC iATU
// does it: a region matches when it is enabled and base <= addr <= limit (limit inclusive);
// an inbound region matches only a request whose TLP Type field equals its CTRL1.TYPE;
// inbound regions with BAR_MODE_ENABLE match on the BAR number instead (and translate to
// target + offset inside the BAR), and with FUNC_NUM_MATCH_EN also on the function number
// (CTRL1.FUNC_NUM, 5 bits); the lowest matching index wins.
// The region registers come in as they are stored (one array per register); the bit positions
// of CTRL1/CTRL2 are dw_iatu's register table, passed as parameters.
// Does not model: CFG shift mode, message regions (type is reported, the address is translated
// as for memory).
module iatu_match #(
    parameter int unsigned REGIONS = 8,
    parameter bit INBOUND = 1'b0,
    parameter int unsigned INDEX_W = 8,
    // Bit positions in CTRL1/CTRL2 (given by dw_iatu).
    parameter int unsigned CTRL1_TYPE_LSB = 0,
    parameter int unsigned CTRL1_INCREASE_REGION_SIZE = 0,
    parameter int unsigned CTRL1_FUNC_NUM_LSB = 0,
    parameter int unsigned CTRL2_ENABLE = 0,
    parameter int unsigned CTRL2_BAR_MODE = 0,
    parameter int unsigned CTRL2_FUNC_NUM_MATCH = 0,
    parameter int unsigned CTRL2_BAR_LSB = 0
) (
    input logic [31:0] ctrl1[REGIONS],
    input logic [31:0] ctrl2[REGIONS],
    input logic [31:0] lower_base[REGIONS],
    input logic [31:0] upper_base[REGIONS],
    input logic [31:0] lower_limit[REGIONS],
    input logic [31:0] lower_target[REGIONS],
    input logic [31:0] upper_target[REGIONS],
    input logic [31:0] upper_limit[REGIONS],

    input logic        en,            // search the table (the path accepts a request)
    input logic [63:0] addr,
    input logic        bar_valid,     // inbound: the request hit a BAR
    input logic [ 2:0] bar_hit,       // inbound: which BAR
    input logic [ 5:0] bar_size_log2, // inbound: log2 of the BAR size (offset = addr mod size)
    input logic [ 4:0] func_hit,      // inbound: function number of the request
    input logic [ 4:0] tlp_type,      // inbound: TLP header Type field of the request

    output logic               hit,
    output logic [INDEX_W-1:0] index,
    output logic [        4:0] hit_type,
    output logic [       63:0] addr_out
);
  wire [63:0] bar_offset = addr & ((64'd1 << bar_size_log2) - 64'd1);

  always_comb begin
    logic [4:0] rtype, func;
    logic [63:0] base, limit, target;
    logic func_ok;
    rtype = '0;
    func = '0;
    base = '0;
    limit = '0;
    target = '0;
    func_ok = 1'b0;
    hit = 1'b0;
    index = '0;
    hit_type = '0;
    addr_out = addr;
    if (en) begin
      // Highest index first, so that the lowest matching index is the one left standing.
      for (int i = int'(REGIONS) - 1; i >= 0; i--) begin
        rtype = ctrl1[i][CTRL1_TYPE_LSB+:5];
        func = ctrl1[i][CTRL1_FUNC_NUM_LSB+:5];
        func_ok = !ctrl2[i][CTRL2_FUNC_NUM_MATCH] || func == func_hit;
        base = {upper_base[i], lower_base[i]};
        // The limit's upper word: UPPER_LIMIT with INCREASE_REGION_SIZE, else UPPER_BASE.
        limit = {ctrl1[i][CTRL1_INCREASE_REGION_SIZE] ? upper_limit[i] : upper_base[i],
                 lower_limit[i]};
        target = {upper_target[i], lower_target[i]};
        if (ctrl2[i][CTRL2_ENABLE] && (!INBOUND || rtype == tlp_type)) begin
          if (INBOUND && ctrl2[i][CTRL2_BAR_MODE]) begin
            if (bar_valid && ctrl2[i][CTRL2_BAR_LSB+:3] == bar_hit && func_ok) begin
              hit = 1'b1;
              index = INDEX_W'(i);
              hit_type = rtype;
              addr_out = target + bar_offset;
            end
          end else if (addr >= base && addr <= limit && (!INBOUND || func_ok)) begin
            hit = 1'b1;
            index = INDEX_W'(i);
            hit_type = rtype;
            addr_out = target + (addr - base);
          end
        end
      end
    end
  end
endmodule

# The endpoint firmware's sources, one list for both builds: the native library
# (firmware/CMakeLists.txt) and the AArch64 ELF (firmware/guest/CMakeLists.txt). Paths are
# relative to firmware/.
set(EPVP_ENDPOINT_FW_SOURCES
  hal/hal.cc
  hal/crc32.cc
  epc/epc.cc
  dwc/pcie_designware.cc
  dwc/pcie_designware_ep.cc
  dwc/glue.cc
  dwc/dw_edma.cc
  functions/pci_epf_test.cc
  functions/test_endpoint.cc
  functions/builtin.cc
  functions/dma_mix.cc
  functions/dma_sweep.cc
  functions/cmd_stream.cc
  functions/iova_test.cc
  functions/p2p_dma.cc
  iommu/smmu_v3.cc
  iommu/iova.cc
  epf/workqueue.cc
  epf/endpoint_stack.cc
  epf/runner.cc
  epf/context.cc
)

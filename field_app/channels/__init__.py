"""Partner channels (数据共享渠道): 社保, 工商, 公务员局/编办 and 统计局 data uploaded in the web."""

using Orleans.Placement;

namespace Hub.Silo.Placement;

[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class BrokerPlacementAttribute() : PlacementAttribute(BrokerPlacement.Instance);

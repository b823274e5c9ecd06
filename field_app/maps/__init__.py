"""Maps: division boundaries (loaded from GeoJSON or shapefiles), a choropleth of any figure
by child division, and the survey's coverage map of a township or village."""
